//! Teardown: removes what Berth created for an app — the service's scalable target (which takes
//! its scaling policies with it; Application Auto Scaling would otherwise scale the service back
//! up while it drains), service (scaled to 0, then deleted), one-off
//! tasks, task definitions, security group, log group, and the shared cluster if Berth made it
//! and nothing else runs in it. It finds them by name and removes only those carrying Berth's
//! tags, so nothing made outside Berth is ever touched. The plan comes first, without changes.
//! The repository, execution role and deploy user stay unless the user asks (`super::shared`):
//! the plan lists them with what they cost, so "gone" never overstates.
//! This module finds and plans; [`run`] carries the plan out.

mod run;

pub use run::{teardown, TeardownContext};

use super::desired::is_berths;
use super::shared::{self, SharedNames};
use super::timeline::ResourceKind;
use super::{Names, STARTED_BY};
use crate::aws::ecs::{self, TaskFilter};
use crate::aws::{autoscaling, ec2, logs, AwsClients};
use crate::error::Result;
use serde::Serialize;
use ts_rs::TS;

/// What teardown does to a resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum TeardownAction {
    Delete,
    /// Stop running one-off tasks.
    Stop,
    Keep,
}

/// Why teardown leaves a resource in place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum KeepReason {
    /// It has Berth's name but not Berth's tags: someone else made it.
    NotBerths,
    /// The shared cluster still runs other services or tasks.
    InUse,
    /// Another app Berth launched uses it (the repository or the execution role).
    OtherApps,
    /// The deploy user is the identity in use: it cannot remove itself.
    SignedIn,
    /// The user did not ask to remove it.
    NotChosen,
}

/// One line of the teardown plan.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TeardownItem {
    pub resource: ResourceKind,
    pub name: String,
    pub id: Option<String>,
    pub action: TeardownAction,
    pub reason: Option<KeepReason>,
    pub commands: Vec<String>,
    /// A repository's images: how many, their stored size, and what storing them costs.
    pub images: Option<u32>,
    #[ts(type = "number | null")]
    pub size_bytes: Option<u64>,
    /// USD per month while it stays (0 for IAM users and roles, which are free).
    pub monthly_usd: Option<f64>,
}

/// What teardown will do, in the order it does it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TeardownPlan {
    pub app: String,
    pub region: String,
    pub items: Vec<TeardownItem>,
    /// The repository, execution role and deploy user: kept unless asked for (`Delete` means it
    /// may be removed; after a teardown, `Delete` means it was).
    pub shared: Vec<TeardownItem>,
    /// ECR's storage price the repository's cost comes from, USD per GB-month.
    pub ecr_price_per_gb_month: f64,
}

impl TeardownPlan {
    /// Whether teardown would remove anything.
    pub fn removes_anything(&self) -> bool {
        self.items.iter().any(|i| i.action != TeardownAction::Keep)
    }
}

fn keep(
    resource: ResourceKind,
    name: &str,
    id: Option<String>,
    reason: KeepReason,
) -> TeardownItem {
    TeardownItem {
        resource,
        name: name.to_owned(),
        id,
        action: TeardownAction::Keep,
        reason: Some(reason),
        commands: Vec::new(),
        images: None,
        size_bytes: None,
        monthly_usd: None,
    }
}

/// Reason ECS keeps on the tasks teardown stops.
const STOP_REASON: &str = "Berth teardown";

/// One-off tasks Berth started for the app that have not stopped.
async fn berth_tasks(clients: &AwsClients, n: &Names) -> Result<Vec<ecs::Task>> {
    let filter = TaskFilter {
        started_by: Some(STARTED_BY),
        ..TaskFilter::default()
    };
    let arns = ecs::list_tasks(clients, &n.cluster, &filter).await?;
    if arns.is_empty() {
        return Ok(Vec::new());
    }
    Ok(ecs::task_states(clients, &n.cluster, &arns)
        .await?
        .into_iter()
        // ListTasks takes no family beside startedBy: keep this app's family here.
        .filter(|t| ecs::family_of(&t.task_definition) == Some(n.family.as_str()))
        .filter(|t| t.last_status != "STOPPED")
        .collect())
}

/// Whether the shared cluster runs anything but `n.app`'s service and tasks.
async fn cluster_in_use(clients: &AwsClients, n: &Names) -> Result<bool> {
    for arn in ecs::list_services(clients, &n.cluster).await? {
        let name = arn.rsplit('/').next().unwrap_or(&arn);
        if name == n.service {
            continue;
        }
        // ListServices may still name services that were deleted a moment ago.
        if ecs::describe_service(clients, &n.cluster, name)
            .await?
            .is_some()
        {
            return Ok(true);
        }
    }
    let arns = ecs::list_tasks(clients, &n.cluster, &TaskFilter::default()).await?;
    if arns.is_empty() {
        return Ok(false);
    }
    Ok(ecs::task_states(clients, &n.cluster, &arns)
        .await?
        .iter()
        .any(|t| {
            t.last_status != "STOPPED" && ecs::family_of(&t.task_definition) != Some(&n.family)
        }))
}

/// What teardown of `app` would do, and what of `names` would stay. Read-only.
pub async fn plan_teardown(
    clients: &AwsClients,
    app: &str,
    names: &SharedNames,
) -> Result<TeardownPlan> {
    super::validate_app(app)?;
    let n = Names::of(app);
    let mut items = Vec::new();

    let cluster = ecs::describe_cluster(clients, &n.cluster).await?;
    if cluster.is_some() {
        if let Some(service) = ecs::describe_service(clients, &n.cluster, &n.service).await? {
            // A Berth service's scalable target goes first (it is the service's). An Express
            // service's scaling is ECS's, and goes with it.
            if is_berths(&service.tags) && !service.express {
                if let Some(target) =
                    autoscaling::find_target(clients, &n.cluster, &n.service).await?
                {
                    items.push(TeardownItem {
                        resource: ResourceKind::ScalableTarget,
                        name: target.resource_id.clone(),
                        id: Some(target.resource_id),
                        action: TeardownAction::Delete,
                        reason: None,
                        images: None,
                        size_bytes: None,
                        monthly_usd: None,
                        commands: vec![autoscaling::deregister_target_call(
                            clients, &n.cluster, &n.service,
                        )
                        .command()
                        .render()],
                    });
                }
            }
            items.push(if is_berths(&service.tags) && service.express {
                TeardownItem {
                    resource: ResourceKind::ExpressService,
                    name: n.service.clone(),
                    commands: vec![ecs::delete_express_service_call(clients, &service.arn)
                        .command()
                        .render()],
                    id: Some(service.arn),
                    action: TeardownAction::Delete,
                    reason: None,
                    images: None,
                    size_bytes: None,
                    monthly_usd: None,
                }
            } else if is_berths(&service.tags) {
                TeardownItem {
                    resource: ResourceKind::Service,
                    name: n.service.clone(),
                    id: Some(service.arn),
                    action: TeardownAction::Delete,
                    reason: None,
                    images: None,
                    size_bytes: None,
                    monthly_usd: None,
                    commands: vec![
                        ecs::scale_service_call(clients, &n.cluster, &n.service, 0)
                            .command()
                            .render(),
                        ecs::delete_service_call(clients, &n.cluster, &n.service, false)
                            .command()
                            .render(),
                    ],
                }
            } else {
                keep(
                    if service.express {
                        ResourceKind::ExpressService
                    } else {
                        ResourceKind::Service
                    },
                    &n.service,
                    Some(service.arn),
                    KeepReason::NotBerths,
                )
            });
        }
        let tasks = berth_tasks(clients, &n).await?;
        if !tasks.is_empty() {
            items.push(TeardownItem {
                resource: ResourceKind::Task,
                name: n.family.clone(),
                id: Some(
                    tasks
                        .iter()
                        .map(|t| t.id.clone())
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
                action: TeardownAction::Stop,
                reason: None,
                images: None,
                size_bytes: None,
                monthly_usd: None,
                commands: tasks
                    .iter()
                    .map(|t| {
                        ecs::stop_task_call(clients, &n.cluster, &t.arn, STOP_REASON)
                            .command()
                            .render()
                    })
                    .collect(),
            });
        }
    }

    // Revisions an earlier teardown only deregistered are still listed (INACTIVE): delete them too.
    let mut revisions = Vec::new();
    for status in [
        ecs::TaskDefinitionStatus::Active,
        ecs::TaskDefinitionStatus::Inactive,
    ] {
        for arn in ecs::list_task_definitions(clients, &n.family, status.clone()).await? {
            revisions.push((arn, status == ecs::TaskDefinitionStatus::Active));
        }
    }
    revisions.sort_by_key(|(arn, _)| std::cmp::Reverse(ecs::revision_of(arn)));
    for (arn, active) in revisions {
        let td = ecs::describe_task_definition(clients, &arn).await?;
        let name = format!("{}:{}", n.family, td.revision);
        items.push(if is_berths(&td.tags) {
            let mut commands = Vec::new();
            if active {
                commands.push(
                    ecs::deregister_task_definition_call(clients, &arn)
                        .command()
                        .render(),
                );
            }
            commands.push(
                ecs::delete_task_definition_call(clients, &arn)
                    .command()
                    .render(),
            );
            TeardownItem {
                resource: ResourceKind::TaskDefinition,
                name,
                commands,
                id: Some(arn),
                action: TeardownAction::Delete,
                reason: None,
                images: None,
                size_bytes: None,
                monthly_usd: None,
            }
        } else {
            keep(
                ResourceKind::TaskDefinition,
                &name,
                Some(arn),
                KeepReason::NotBerths,
            )
        });
    }

    for group in ec2::security_groups_named(clients, None, &n.security_group).await? {
        items.push(if is_berths(&group.tags) {
            TeardownItem {
                resource: ResourceKind::SecurityGroup,
                name: n.security_group.clone(),
                commands: vec![ec2::delete_security_group_call(clients, &group.id)
                    .command()
                    .render()],
                id: Some(group.id),
                action: TeardownAction::Delete,
                reason: None,
                images: None,
                size_bytes: None,
                monthly_usd: None,
            }
        } else {
            keep(
                ResourceKind::SecurityGroup,
                &n.security_group,
                Some(group.id),
                KeepReason::NotBerths,
            )
        });
    }

    if let Some(group) = logs::find_log_group(clients, &n.log_group).await? {
        items.push(if is_berths(&group.tags) {
            TeardownItem {
                resource: ResourceKind::LogGroup,
                name: n.log_group.clone(),
                id: Some(group.arn),
                action: TeardownAction::Delete,
                reason: None,
                images: None,
                size_bytes: None,
                monthly_usd: None,
                commands: vec![logs::delete_log_group_call(clients, &n.log_group)
                    .command()
                    .render()],
            }
        } else {
            keep(
                ResourceKind::LogGroup,
                &n.log_group,
                Some(group.arn),
                KeepReason::NotBerths,
            )
        });
    }

    items.extend(
        super::secrets::teardown_items(clients, app, names.execution_role.as_deref()).await?,
    );

    if let Some(cluster) = cluster {
        items.push(if !is_berths(&cluster.tags) {
            keep(
                ResourceKind::Cluster,
                &n.cluster,
                Some(cluster.arn),
                KeepReason::NotBerths,
            )
        } else if cluster_in_use(clients, &n).await? {
            keep(
                ResourceKind::Cluster,
                &n.cluster,
                Some(cluster.arn),
                KeepReason::InUse,
            )
        } else {
            TeardownItem {
                resource: ResourceKind::Cluster,
                name: n.cluster.clone(),
                id: Some(cluster.arn),
                action: TeardownAction::Delete,
                reason: None,
                images: None,
                size_bytes: None,
                monthly_usd: None,
                commands: vec![ecs::delete_cluster_call(clients, &n.cluster)
                    .command()
                    .render()],
            }
        });
    }

    Ok(TeardownPlan {
        app: app.to_owned(),
        region: clients.region().to_owned(),
        items,
        shared: shared::plan_shared(clients, names).await?,
        ecr_price_per_gb_month: crate::pricing::ECR_STORAGE_PER_GB_MONTH,
    })
}
