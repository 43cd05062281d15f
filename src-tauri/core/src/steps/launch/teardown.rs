//! Teardown: removes what Berth created for an app — service (scaled to 0, then deleted), one-off
//! tasks, task definitions, security group, log group, and the shared cluster if Berth made it
//! and nothing else runs in it. It finds them by name and removes only those carrying Berth's
//! tags, so nothing made outside Berth is ever touched. The plan comes first, without changes.

use super::plan::is_berths;
use super::resume::{LaunchStatus, LaunchStore};
use super::timeline::{is_service_task, FollowOptions, LaunchEvent, Outcome, ResourceKind, Run};
use super::{Names, STARTED_BY};
use crate::activity::{ActivityLog, CliCommand};
use crate::aws::ecs::{self, TaskFilter};
use crate::aws::{ec2, logs, AwsClients};
use crate::error::{BerthError, ErrorKind, Result};
use serde::Serialize;
use std::time::Instant;
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
}

/// One line of the teardown plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TeardownItem {
    pub resource: ResourceKind,
    pub name: String,
    pub id: Option<String>,
    pub action: TeardownAction,
    pub reason: Option<KeepReason>,
    pub commands: Vec<String>,
}

/// What teardown will do, in the order it does it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TeardownPlan {
    pub app: String,
    pub region: String,
    pub items: Vec<TeardownItem>,
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
    }
}

mod commands {
    use super::*;

    pub fn scale_down(clients: &AwsClients, n: &Names) -> CliCommand {
        clients
            .cli("ecs", "update-service")
            .opt("--cluster", &n.cluster)
            .opt("--service", &n.service)
            .opt("--desired-count", "0")
    }

    pub fn delete_service(clients: &AwsClients, n: &Names) -> CliCommand {
        clients
            .cli("ecs", "delete-service")
            .opt("--cluster", &n.cluster)
            .opt("--service", &n.service)
    }

    pub fn stop_task(clients: &AwsClients, n: &Names, arn: &str) -> CliCommand {
        clients
            .cli("ecs", "stop-task")
            .opt("--cluster", &n.cluster)
            .opt("--task", ecs::task_id(arn))
            .opt("--reason", "Berth teardown")
    }

    pub fn deregister(clients: &AwsClients, arn: &str) -> CliCommand {
        let short = arn.rsplit('/').next().unwrap_or(arn);
        clients
            .cli("ecs", "deregister-task-definition")
            .opt("--task-definition", short)
    }

    pub fn delete_security_group(clients: &AwsClients, id: &str) -> CliCommand {
        clients
            .cli("ec2", "delete-security-group")
            .opt("--group-id", id)
    }

    pub fn delete_log_group(clients: &AwsClients, name: &str) -> CliCommand {
        clients
            .cli("logs", "delete-log-group")
            .opt("--log-group-name", name)
    }

    pub fn delete_cluster(clients: &AwsClients, name: &str) -> CliCommand {
        clients.cli("ecs", "delete-cluster").opt("--cluster", name)
    }
}

/// One-off tasks Berth started for the app that have not stopped.
async fn berth_tasks(clients: &AwsClients, n: &Names) -> Result<Vec<ecs::Task>> {
    let filter = TaskFilter {
        family: Some(&n.family),
        started_by: Some(STARTED_BY),
        ..TaskFilter::default()
    };
    let arns = ecs::list_tasks(clients, &n.cluster, &filter).await?;
    if arns.is_empty() {
        return Ok(Vec::new());
    }
    Ok(ecs::describe_tasks(clients, &n.cluster, &arns)
        .await?
        .into_iter()
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
    let family_prefix = format!("task-definition/{}:", n.family);
    Ok(ecs::describe_tasks(clients, &n.cluster, &arns)
        .await?
        .iter()
        .any(|t| t.last_status != "STOPPED" && !t.task_definition.contains(&family_prefix)))
}

/// What teardown of `app` would do. Read-only.
pub async fn plan_teardown(clients: &AwsClients, app: &str) -> Result<TeardownPlan> {
    super::validate_app(app)?;
    let n = Names::of(app);
    let mut items = Vec::new();

    let cluster = ecs::describe_cluster(clients, &n.cluster).await?;
    if cluster.is_some() {
        if let Some(service) = ecs::describe_service(clients, &n.cluster, &n.service).await? {
            items.push(if is_berths(&service.tags) {
                TeardownItem {
                    resource: ResourceKind::Service,
                    name: n.service.clone(),
                    id: Some(service.arn),
                    action: TeardownAction::Delete,
                    reason: None,
                    commands: vec![
                        commands::scale_down(clients, &n).render(),
                        commands::delete_service(clients, &n).render(),
                    ],
                }
            } else {
                keep(
                    ResourceKind::Service,
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
                commands: tasks
                    .iter()
                    .map(|t| commands::stop_task(clients, &n, &t.arn).render())
                    .collect(),
            });
        }
    }

    for arn in ecs::list_task_definitions(clients, &n.family).await? {
        let td = ecs::describe_task_definition(clients, &arn).await?;
        let name = format!("{}:{}", n.family, td.revision);
        items.push(if is_berths(&td.tags) {
            TeardownItem {
                resource: ResourceKind::TaskDefinition,
                name,
                commands: vec![commands::deregister(clients, &arn).render()],
                id: Some(arn),
                action: TeardownAction::Delete,
                reason: None,
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
                commands: vec![commands::delete_security_group(clients, &group.id).render()],
                id: Some(group.id),
                action: TeardownAction::Delete,
                reason: None,
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
                commands: vec![commands::delete_log_group(clients, &n.log_group).render()],
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
                commands: vec![commands::delete_cluster(clients, &n.cluster).render()],
            }
        });
    }

    Ok(TeardownPlan {
        app: app.to_owned(),
        region: clients.region().to_owned(),
        items,
    })
}

/// What a teardown works with.
pub struct TeardownContext<'a> {
    pub clients: &'a AwsClients,
    pub log: &'a ActivityLog,
    pub store: &'a LaunchStore,
    pub run: &'a Run,
    /// `poll` between looks while waiting; `give_up_after` bounds each wait.
    pub wait: FollowOptions,
}

/// Tears `app` down: recomputes the plan (so it acts on what exists now) and carries it out in
/// order, one timeline event per resource. The launch record is removed at the end.
pub async fn teardown(ctx: &TeardownContext<'_>, app: &str) -> Result<TeardownPlan> {
    let result = ctx.run.guard(tear_down(ctx, app)).await;
    match &result {
        Ok(plan) => ctx.run.emit(LaunchEvent::TornDown {
            app: plan.app.clone(),
        }),
        Err(error) => ctx.run.emit(LaunchEvent::Failed {
            error: error.clone(),
        }),
    }
    result
}

async fn tear_down(ctx: &TeardownContext<'_>, app: &str) -> Result<TeardownPlan> {
    let clients = ctx.clients;
    let plan = plan_teardown(clients, app).await?;
    let n = Names::of(app);
    if let Some(mut record) = ctx.store.load(app)? {
        record.status = LaunchStatus::TearingDown;
        ctx.store.save(&mut record)?;
    }
    let emit = |item: &TeardownItem, outcome: Outcome, command: Option<&CliCommand>| {
        ctx.run.emit(LaunchEvent::Action {
            resource: item.resource,
            name: item.name.clone(),
            outcome,
            id: item.id.clone(),
            command: command.map(CliCommand::render),
        })
    };
    for item in &plan.items {
        if item.action == TeardownAction::Keep {
            // The cluster is decided when its turn comes (it may be free by then).
            if item.resource != ResourceKind::Cluster || item.reason == Some(KeepReason::NotBerths)
            {
                emit(item, Outcome::Kept, None);
                continue;
            }
        }
        match item.resource {
            ResourceKind::Service => {
                let cmd = commands::scale_down(clients, &n);
                ctx.log.track(
                    "ecs.updateService",
                    &n.service,
                    &cmd,
                    ecs::scale_service(clients, &n.cluster, &n.service, 0).await,
                )?;
                emit(item, Outcome::ScaledDown, Some(&cmd));
                wait_for_service_tasks(ctx, &n).await?;
                let cmd = commands::delete_service(clients, &n);
                ctx.log.track(
                    "ecs.deleteService",
                    &n.service,
                    &cmd,
                    ecs::delete_service(clients, &n.cluster, &n.service).await,
                )?;
                emit(item, Outcome::Deleted, Some(&cmd));
            }
            ResourceKind::Task => {
                let tasks = berth_tasks(clients, &n).await?;
                let mut last = None;
                for task in &tasks {
                    let cmd = commands::stop_task(clients, &n, &task.arn);
                    ctx.log.track(
                        "ecs.stopTask",
                        &task.id,
                        &cmd,
                        ecs::stop_task(clients, &n.cluster, &task.arn, "Berth teardown").await,
                    )?;
                    last = Some(cmd);
                }
                wait_for_tasks_stopped(ctx, &n, tasks.iter().map(|t| t.arn.clone()).collect())
                    .await?;
                emit(item, Outcome::Stopped, last.as_ref());
            }
            ResourceKind::TaskDefinition => {
                let arn = item.id.clone().unwrap_or_default();
                let cmd = commands::deregister(clients, &arn);
                ctx.log.track(
                    "ecs.deregisterTaskDefinition",
                    &item.name,
                    &cmd,
                    ecs::deregister_task_definition(clients, &arn).await,
                )?;
                emit(item, Outcome::Deleted, Some(&cmd));
            }
            ResourceKind::SecurityGroup => {
                let id = item.id.clone().unwrap_or_default();
                let cmd = commands::delete_security_group(clients, &id);
                let result = delete_security_group_when_free(ctx, &id).await;
                ctx.log
                    .track("ec2.deleteSecurityGroup", &id, &cmd, result)?;
                emit(item, Outcome::Deleted, Some(&cmd));
            }
            ResourceKind::LogGroup => {
                let cmd = commands::delete_log_group(clients, &n.log_group);
                let result = match logs::delete_log_group(clients, &n.log_group).await {
                    Err(e) if e.kind == ErrorKind::NotFound => Ok(()),
                    other => other,
                };
                ctx.log
                    .track("logs.deleteLogGroup", &n.log_group, &cmd, result)?;
                emit(item, Outcome::Deleted, Some(&cmd));
            }
            ResourceKind::Cluster => {
                if cluster_in_use(clients, &n).await? {
                    emit(
                        &TeardownItem {
                            reason: Some(KeepReason::InUse),
                            action: TeardownAction::Keep,
                            ..item.clone()
                        },
                        Outcome::Kept,
                        None,
                    );
                    continue;
                }
                let cmd = commands::delete_cluster(clients, &n.cluster);
                ctx.log.track(
                    "ecs.deleteCluster",
                    &n.cluster,
                    &cmd,
                    ecs::delete_cluster(clients, &n.cluster).await,
                )?;
                emit(item, Outcome::Deleted, Some(&cmd));
            }
            ResourceKind::IngressRule => {}
        }
    }
    ctx.store.remove(app)?;
    Ok(plan)
}

fn too_slow(what: &str) -> BerthError {
    BerthError::new(ErrorKind::AwsRejected)
        .with("action", what)
        .with("code", "Timeout")
        .details(format!(
            "{what} did not finish in time; run teardown again to continue"
        ))
}

/// Waits until the (scaled-down) service runs no task.
async fn wait_for_service_tasks(ctx: &TeardownContext<'_>, n: &Names) -> Result<()> {
    let started = Instant::now();
    loop {
        let filter = TaskFilter {
            service: Some(&n.service),
            ..TaskFilter::default()
        };
        let arns = ecs::list_tasks(ctx.clients, &n.cluster, &filter).await?;
        let live = if arns.is_empty() {
            0
        } else {
            ecs::describe_tasks(ctx.clients, &n.cluster, &arns)
                .await?
                .iter()
                .filter(|t| is_service_task(t, &n.service) && t.last_status != "STOPPED")
                .count()
        };
        if live == 0 {
            return Ok(());
        }
        if started.elapsed() >= ctx.wait.give_up_after {
            return Err(too_slow("ecs:UpdateService"));
        }
        ctx.run.sleep(ctx.wait.poll).await?;
    }
}

async fn wait_for_tasks_stopped(
    ctx: &TeardownContext<'_>,
    n: &Names,
    arns: Vec<String>,
) -> Result<()> {
    if arns.is_empty() {
        return Ok(());
    }
    let started = Instant::now();
    loop {
        let tasks = ecs::describe_tasks(ctx.clients, &n.cluster, &arns).await?;
        if tasks.iter().all(|t| t.last_status == "STOPPED") {
            return Ok(());
        }
        if started.elapsed() >= ctx.wait.give_up_after {
            return Err(too_slow("ecs:StopTask"));
        }
        ctx.run.sleep(ctx.wait.poll).await?;
    }
}

/// Deletes a security group, retrying while the network interfaces of stopped tasks still use
/// it (AWS releases them a minute or two after the tasks stop).
async fn delete_security_group_when_free(ctx: &TeardownContext<'_>, id: &str) -> Result<()> {
    let started = Instant::now();
    loop {
        match ec2::delete_security_group(ctx.clients, id).await {
            Ok(()) => return Ok(()),
            Err(e) if e.kind == ErrorKind::NotFound => return Ok(()),
            Err(e)
                if e.param("code") == Some("DependencyViolation")
                    && started.elapsed() < ctx.wait.give_up_after =>
            {
                ctx.run.sleep(ctx.wait.poll).await?;
            }
            Err(e) => return Err(e),
        }
    }
}
