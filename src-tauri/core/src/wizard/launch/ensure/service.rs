//! The app's service (service mode): created, updated to the wanted revision, count and network,
//! or reused as it is.

use crate::aws::ecs::{self, Service, ServiceSpec, TaskNetwork};
use crate::aws::AwsClients;
use crate::error::{BerthError, ErrorKind, Result};
use crate::wizard::launch::context::{name_taken, LaunchContext};
use crate::wizard::launch::desired::{is_berths, Desired, Target};
use crate::wizard::launch::kinds::{Change, Outcome, PlanAction, PlanItem, ResourceKind};
use crate::wizard::launch::record::LaunchRecord;
use crate::wizard::launch::timeline::{LaunchEvent, RetryReason};

/// The app's service, unless there is none or it is being deleted: a DRAINING service is on its
/// way out, and a service of that name can be created again only once it is INACTIVE ("You can't
/// create a service with the same name as a service in DRAINING status" — the ECS CreateService
/// reference for a service name in use).
pub async fn find(clients: &AwsClients, d: &Desired) -> Result<Option<Service>> {
    Ok(
        ecs::describe_service(clients, &d.names.cluster, &d.names.service)
            .await?
            .filter(|s| !is_draining(s)),
    )
}

/// Whether the service is being deleted.
pub fn is_draining(service: &Service) -> bool {
    service.status == "DRAINING"
}

/// Waits while a service of the app's name is still being deleted, saying so on the timeline.
async fn wait_while_draining(ctx: &LaunchContext<'_>, d: &Desired) -> Result<()> {
    let pause = ctx.follow.poll.max(std::time::Duration::from_secs(1));
    let drained = ctx
        .run
        .poll_until(pause, ctx.follow.give_up_after, || async {
            let draining = ecs::describe_service(ctx.clients, &d.names.cluster, &d.names.service)
                .await?
                .is_some_and(|s| is_draining(&s));
            if draining {
                ctx.run.emit(LaunchEvent::Retrying {
                    reason: RetryReason::ServiceDraining {
                        service: d.names.service.clone(),
                    },
                    after_secs: pause.as_secs() as u32,
                });
            }
            Ok(!draining)
        })
        .await?;
    if drained {
        return Ok(());
    }
    Err(BerthError::new(ErrorKind::AwsRejected)
        .with("action", "ecs:CreateService")
        .with("code", "ServiceDraining")
        .details(format!(
            "the service {} is still being deleted; launch again in a few minutes",
            d.names.service
        )))
}

/// The service as the launch wants it. A service that scales keeps the count Application Auto
/// Scaling gave it when that count is within the new minimum and maximum; otherwise (and
/// without scaling) the launch sets the count: the minimum brought into range, or the count
/// chosen.
fn spec(d: &Desired, target: &Target<'_>, existing: Option<&Service>) -> ServiceSpec {
    let (task_definition, group) = target.named(d);
    let (desired, keep_count) = match (d.scaling, existing) {
        (Some(s), Some(service)) => {
            let (min, max) = (s.min as i32, s.max as i32);
            let kept = service.desired.clamp(min, max);
            (kept, kept == service.desired)
        }
        _ => (d.count, false),
    };
    ServiceSpec {
        cluster: d.names.cluster.clone(),
        name: d.names.service.clone(),
        task_definition,
        desired,
        network: d.task_network(&group),
        keep_count,
    }
}

fn short_td(arn: &str) -> String {
    arn.rsplit('/').next().unwrap_or(arn).to_owned()
}

fn network_label(network: Option<&TaskNetwork>) -> String {
    match network {
        None => "—".into(),
        Some(n) => format!(
            "{} / {} / public IP {}",
            n.subnets.join(","),
            n.security_groups.join(","),
            if n.public_ip { "on" } else { "off" }
        ),
    }
}

pub fn inspect(
    clients: &AwsClients,
    d: &Desired,
    existing: Option<&Service>,
    target: &Target<'_>,
) -> PlanItem {
    let spec = spec(d, target, existing);
    let Some(service) = existing else {
        return PlanItem {
            resource: ResourceKind::Service,
            name: d.names.service.clone(),
            action: PlanAction::Create,
            id: None,
            changes: Vec::new(),
            commands: vec![ecs::create_service_call(clients, &spec, &d.tags)
                .command()
                .render()],
        };
    };
    let mut changes = Vec::new();
    if target.task_definition != Some(service.task_definition.as_str()) {
        changes.push(Change {
            field: "taskDefinition".into(),
            from: short_td(&service.task_definition),
            to: target
                .task_definition
                .map(short_td)
                .unwrap_or_else(|| format!("{}:new", d.names.family)),
        });
    }
    if !spec.keep_count && service.desired != spec.desired {
        changes.push(Change {
            field: "desiredCount".into(),
            from: service.desired.to_string(),
            to: spec.desired.to_string(),
        });
    }
    if !service.circuit_breaker {
        changes.push(Change {
            field: "circuitBreaker".into(),
            from: "off".into(),
            to: "on".into(),
        });
    }
    let wanted = target.security_group.map(|g| d.task_network(g));
    if wanted.is_none() || service.network != wanted {
        changes.push(Change {
            field: "network".into(),
            from: network_label(service.network.as_ref()),
            to: network_label(wanted.as_ref()),
        });
    }
    PlanItem {
        resource: ResourceKind::Service,
        name: d.names.service.clone(),
        action: if changes.is_empty() {
            PlanAction::Reuse
        } else {
            PlanAction::Update
        },
        id: Some(service.arn.clone()),
        commands: if changes.is_empty() {
            Vec::new()
        } else {
            vec![ecs::update_service_call(clients, &spec).command().render()]
        },
        changes,
    }
}

pub async fn ensure(
    ctx: &LaunchContext<'_>,
    d: &Desired,
    target: &Target<'_>,
    record: &mut LaunchRecord,
) -> Result<()> {
    wait_while_draining(ctx, d).await?;
    let existing = find(ctx.clients, d).await?;
    if existing.as_ref().is_some_and(|s| !is_berths(&s.tags)) {
        return Err(name_taken("service", &d.names.service));
    }
    if target.task_definition.is_none() || target.security_group.is_none() {
        return Err(BerthError::internal(
            "service target without task definition or group",
        ));
    }
    let item = inspect(ctx.clients, d, existing.as_ref(), target);
    let spec = spec(d, target, existing.as_ref());
    let name = &d.names.service;
    match item.action {
        PlanAction::Create => {
            let call = ecs::create_service_call(ctx.clients, &spec, &d.tags);
            let role = &d.task_definition.execution_role_arn;
            let arn = ctx
                .patiently(role, || ecs::create_service(ctx.clients, &spec, &d.tags))
                .await?;
            ctx.done(
                record,
                ResourceKind::Service,
                name,
                Outcome::Created,
                Some(arn),
                Some(call.command()),
            )
        }
        PlanAction::Update => {
            let call = ecs::update_service_call(ctx.clients, &spec);
            let role = &d.task_definition.execution_role_arn;
            ctx.patiently(role, || ecs::update_service(ctx.clients, &spec))
                .await?;
            ctx.done(
                record,
                ResourceKind::Service,
                name,
                Outcome::Updated,
                item.id,
                Some(call.command()),
            )
        }
        _ => ctx.done(
            record,
            ResourceKind::Service,
            name,
            Outcome::Reused,
            item.id,
            None,
        ),
    }
}
