//! A service that scales itself: its desired count registered with Application Auto Scaling
//! between the minimum and maximum chosen, and Berth's target-tracking policy on its average CPU.
//! Registered after the service (RegisterScalableTarget refuses a service that does not exist);
//! a relaunch updates both, and a relaunch without scaling deregisters the target, which deletes
//! its policies too. The target belongs to the service: it is touched only once the service is
//! known to be Berth's (`super::service::ensure` refuses one that is not).

use super::item;
use crate::aws::autoscaling::{self, CpuPolicy, ScalableTarget};
use crate::aws::AwsClients;
use crate::cli::CliCommand;
use crate::error::Result;
use crate::wizard::launch::context::LaunchContext;
use crate::wizard::launch::desired::Desired;
use crate::wizard::launch::kinds::{Change, Outcome, PlanAction, PlanItem, ResourceKind};
use crate::wizard::launch::record::LaunchRecord;
use crate::wizard::launch::Scaling;

/// What Application Auto Scaling has for the service now.
#[derive(Debug, Clone, Default)]
pub struct Existing {
    pub target: Option<ScalableTarget>,
    /// Berth's CPU policy on it.
    pub policy: Option<CpuPolicy>,
}

/// Reads the service's scalable target and Berth's policy. A service that does not exist yet has
/// neither (no call is made).
pub async fn look(clients: &AwsClients, d: &Desired, service_exists: bool) -> Result<Existing> {
    if !service_exists {
        return Ok(Existing::default());
    }
    let n = &d.names;
    let target = autoscaling::find_target(clients, &n.cluster, &n.service).await?;
    let policy = match target {
        Some(_) => {
            let name = autoscaling::cpu_policy_name(&n.service);
            autoscaling::cpu_policies(clients, &n.cluster, &n.service)
                .await?
                .into_iter()
                .find(|p| p.name == name)
        }
        None => None,
    };
    Ok(Existing { target, policy })
}

fn register_command(clients: &AwsClients, d: &Desired, s: &Scaling) -> CliCommand {
    autoscaling::register_target_call(
        clients,
        &d.names.cluster,
        &d.names.service,
        s.min as i32,
        s.max as i32,
    )
    .into_command()
}

fn policy_command(clients: &AwsClients, d: &Desired, s: &Scaling) -> CliCommand {
    autoscaling::put_cpu_policy_call(
        clients,
        &d.names.cluster,
        &d.names.service,
        f64::from(s.cpu_target),
    )
    .into_command()
}

fn deregister_command(clients: &AwsClients, d: &Desired) -> CliCommand {
    autoscaling::deregister_target_call(clients, &d.names.cluster, &d.names.service).into_command()
}

/// What a launch does about scaling, and what needs sending: (target, policy).
struct Work {
    item: PlanItem,
    register: bool,
    policy: bool,
}

fn work(clients: &AwsClients, d: &Desired, existing: &Existing) -> Option<Work> {
    let id = autoscaling::resource_id(&d.names.cluster, &d.names.service);
    let Some(s) = d.scaling else {
        // Scaling turned off: the target an earlier launch registered goes.
        let target = existing.target.as_ref()?;
        return Some(Work {
            item: PlanItem {
                changes: vec![Change {
                    field: "scaling".into(),
                    from: format!("{}–{}", target.min, target.max),
                    to: "off".into(),
                }],
                ..item(
                    ResourceKind::ScalableTarget,
                    &id,
                    PlanAction::Remove,
                    Some(id.clone()),
                    vec![deregister_command(clients, d).render()],
                )
            },
            register: false,
            policy: false,
        });
    };
    let Some(target) = &existing.target else {
        return Some(Work {
            item: item(
                ResourceKind::ScalableTarget,
                &id,
                PlanAction::Create,
                None,
                vec![
                    register_command(clients, d, &s).render(),
                    policy_command(clients, d, &s).render(),
                ],
            ),
            register: true,
            policy: true,
        });
    };
    let mut changes = Vec::new();
    if target.min != s.min as i32 {
        changes.push(Change {
            field: "minCapacity".into(),
            from: target.min.to_string(),
            to: s.min.to_string(),
        });
    }
    if target.max != s.max as i32 {
        changes.push(Change {
            field: "maxCapacity".into(),
            from: target.max.to_string(),
            to: s.max.to_string(),
        });
    }
    let register = !changes.is_empty();
    let wanted = f64::from(s.cpu_target);
    let policy = existing.policy.as_ref().map(|p| p.target) != Some(wanted);
    if policy {
        changes.push(Change {
            field: "cpuTarget".into(),
            from: existing
                .policy
                .as_ref()
                .map(|p| format!("{}%", p.target))
                .unwrap_or_else(|| "—".into()),
            to: format!("{}%", s.cpu_target),
        });
    }
    let mut commands = Vec::new();
    if register {
        commands.push(register_command(clients, d, &s).render());
    }
    if policy {
        commands.push(policy_command(clients, d, &s).render());
    }
    Some(Work {
        item: PlanItem {
            changes,
            ..item(
                ResourceKind::ScalableTarget,
                &id,
                if register || policy {
                    PlanAction::Update
                } else {
                    PlanAction::Reuse
                },
                Some(id.clone()),
                commands,
            )
        },
        register,
        policy,
    })
}

/// The plan's line for scaling, if there is anything to say.
pub fn inspect(clients: &AwsClients, d: &Desired, existing: &Existing) -> Option<PlanItem> {
    work(clients, d, existing).map(|w| w.item)
}

/// Registers, updates or deregisters the service's scalable target as the plan said. Runs after
/// the service exists.
pub async fn ensure(ctx: &LaunchContext<'_>, d: &Desired, record: &mut LaunchRecord) -> Result<()> {
    let clients = ctx.clients;
    let (cluster, service) = (&d.names.cluster, &d.names.service);
    let existing = look(clients, d, true).await?;
    let Some(w) = work(clients, d, &existing) else {
        return Ok(());
    };
    let mut shown = None;
    let outcome = match w.item.action {
        PlanAction::Remove => {
            autoscaling::deregister_target(clients, cluster, service).await?;
            shown = Some(deregister_command(clients, d));
            Outcome::Deleted
        }
        PlanAction::Reuse => Outcome::Reused,
        action => {
            let s = d.scaling.unwrap_or_default();
            if w.register {
                autoscaling::register_target(clients, cluster, service, s.min as i32, s.max as i32)
                    .await?;
                shown = Some(register_command(clients, d, &s));
            }
            if w.policy {
                autoscaling::put_cpu_policy(clients, cluster, service, f64::from(s.cpu_target))
                    .await?;
                shown = Some(policy_command(clients, d, &s));
            }
            if action == PlanAction::Create {
                Outcome::Created
            } else {
                Outcome::Updated
            }
        }
    };
    let id = autoscaling::resource_id(cluster, service);
    ctx.done(
        record,
        ResourceKind::ScalableTarget,
        &id,
        outcome,
        Some(id.clone()),
        shown.as_ref(),
    )
}
