//! Carrying a teardown plan out, in order, one timeline event per resource, waiting for what
//! AWS removes in the background (a scaled-down service's tasks, stopped tasks, a security group
//! still held by a network interface).

use super::super::record::LaunchStatus;
use super::super::record::LaunchStore;
use super::super::shared::{self, SharedNames, SharedRemovals};
use super::super::timeline::{
    is_service_task, FollowOptions, LaunchEvent, Outcome, ResourceKind, Run,
};
use super::super::Names;
use super::{
    berth_tasks, cluster_in_use, plan_teardown, KeepReason, TeardownAction, TeardownItem,
    TeardownPlan, STOP_REASON,
};
use crate::aws::ecs::{self, TaskFilter};
use crate::aws::{autoscaling, ec2, logs, AwsClients};
use crate::cli::CliCommand;
use crate::error::{BerthError, ErrorKind, Result};
use std::future::Future;
use std::time::Instant;

/// What a teardown works with.
pub struct TeardownContext<'a> {
    pub clients: &'a AwsClients,
    pub store: &'a LaunchStore,
    pub run: &'a Run,
    /// `poll` between looks while waiting; `give_up_after` bounds each wait.
    pub wait: FollowOptions,
    /// The repository, role and deploy user the app used, and which of them to remove.
    pub shared: SharedNames,
    pub remove: SharedRemovals,
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
    let mut plan = plan_teardown(clients, app, &ctx.shared).await?;
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
            ResourceKind::ScalableTarget => {
                autoscaling::deregister_target(clients, &n.cluster, &n.service).await?;
                let call = autoscaling::deregister_target_call(clients, &n.cluster, &n.service);
                emit(item, Outcome::Deleted, Some(call.command()));
            }
            ResourceKind::Service => {
                ecs::scale_service(clients, &n.cluster, &n.service, 0).await?;
                let call = ecs::scale_service_call(clients, &n.cluster, &n.service, 0);
                emit(item, Outcome::ScaledDown, Some(call.command()));
                wait_for_service_tasks(ctx, &n).await?;
                ecs::delete_service(clients, &n.cluster, &n.service, false).await?;
                let call = ecs::delete_service_call(clients, &n.cluster, &n.service, false);
                emit(item, Outcome::Deleted, Some(call.command()));
            }
            ResourceKind::ExpressService => {
                let arn = item.id.clone().unwrap_or_default();
                // ECS drains it (no scaling down first: its count is ECS's) and removes what it
                // made for it; the cluster can go once its tasks have stopped.
                // Its tasks, listed before: once deleted, ListTasks (desired RUNNING) no longer
                // names them, yet they still stop for a while and hold the cluster.
                let filter = TaskFilter {
                    service: Some(&n.service),
                    ..TaskFilter::default()
                };
                let tasks = ecs::list_tasks(clients, &n.cluster, &filter).await?;
                ecs::delete_express_service(clients, &arn).await?;
                let call = ecs::delete_express_service_call(clients, &arn);
                emit(item, Outcome::Deleted, Some(call.command()));
                wait_for_tasks_stopped(ctx, &n, tasks).await?;
                wait_until_drained(ctx, &arn).await?;
            }
            ResourceKind::Task => {
                let tasks = berth_tasks(clients, &n).await?;
                let mut last = None;
                for task in &tasks {
                    ecs::stop_task(clients, &n.cluster, &task.arn, STOP_REASON).await?;
                    last = Some(
                        ecs::stop_task_call(clients, &n.cluster, &task.arn, STOP_REASON)
                            .into_command(),
                    );
                }
                wait_for_tasks_stopped(ctx, &n, tasks.iter().map(|t| t.arn.clone()).collect())
                    .await?;
                emit(item, Outcome::Stopped, last.as_ref());
            }
            ResourceKind::TaskDefinition => {
                let arn = item.id.clone().unwrap_or_default();
                // Only an INACTIVE revision can be deleted; one deregistered before is not again.
                let td = ecs::describe_task_definition(clients, &arn).await?;
                if td.registered.status() == Some(&ecs::TaskDefinitionStatus::Active) {
                    ecs::deregister_task_definition(clients, &arn).await?;
                }
                ecs::delete_task_definition(clients, &arn).await?;
                let call = ecs::delete_task_definition_call(clients, &arn);
                emit(item, Outcome::Deleted, Some(call.command()));
            }
            ResourceKind::SecurityGroup => {
                let id = item.id.clone().unwrap_or_default();
                let started = Instant::now();
                ec2::delete_security_group(clients, &id, || async {
                    if started.elapsed() >= ctx.wait.give_up_after {
                        return Ok(false);
                    }
                    ctx.run.sleep(ctx.wait.poll).await?;
                    Ok(true)
                })
                .await?;
                let call = ec2::delete_security_group_call(clients, &id);
                emit(item, Outcome::Deleted, Some(call.command()));
            }
            ResourceKind::LogGroup => {
                match logs::delete_log_group(clients, &n.log_group).await {
                    Err(e) if e.kind == ErrorKind::NotFound => {}
                    other => other?,
                }
                let call = logs::delete_log_group_call(clients, &n.log_group);
                emit(item, Outcome::Deleted, Some(call.command()));
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
                wait_until_service_inactive(ctx, &n).await?;
                ecs::delete_cluster(clients, &n.cluster).await?;
                let call = ecs::delete_cluster_call(clients, &n.cluster);
                emit(item, Outcome::Deleted, Some(call.command()));
            }
            ResourceKind::Secret | ResourceKind::SecretPolicy => {
                let command = super::super::secrets::tear_down_item(clients, item).await?;
                emit(item, Outcome::Deleted, command.as_ref());
            }
            ResourceKind::IngressRule
            | ResourceKind::Repository
            | ResourceKind::ExecutionRole
            | ResourceKind::DeployUser => {}
        }
    }
    // The app's own resources are gone: its record goes before the shared ones are looked at,
    // so a refusal there leaves no unfinished launch behind.
    ctx.store.remove(app)?;
    for item in &mut plan.shared {
        if item.action == TeardownAction::Delete && ctx.remove.includes(item.resource) {
            shared::remove_shared(clients, item).await?;
            let last = item.commands.last().cloned();
            ctx.run.emit(LaunchEvent::Action {
                resource: item.resource,
                name: item.name.clone(),
                outcome: Outcome::Deleted,
                id: item.id.clone(),
                command: last,
            });
        } else {
            if item.action == TeardownAction::Delete {
                item.action = TeardownAction::Keep;
                item.reason = Some(KeepReason::NotChosen);
                item.commands.clear();
            }
            emit(item, Outcome::Kept, None);
        }
    }
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

/// Looks with `done` every poll until it says the wait is over; after `give_up_after`, an error
/// that names `action` as what did not finish.
async fn wait_until<F, Fut>(ctx: &TeardownContext<'_>, action: &str, done: F) -> Result<()>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<bool>>,
{
    if ctx
        .run
        .poll_until(ctx.wait.poll, ctx.wait.give_up_after, done)
        .await?
    {
        Ok(())
    } else {
        Err(too_slow(action))
    }
}

/// Waits until the (scaled-down) service runs no task. Scaling to zero moves its tasks' desired
/// status to STOPPED at once while they take a while to stop (DEACTIVATING, STOPPING), so both
/// listings are read: the tasks still meant to run and those told to stop but not yet stopped.
/// DeleteService before then leaves tasks running (and billing) under a service being deleted.
async fn wait_for_service_tasks(ctx: &TeardownContext<'_>, n: &Names) -> Result<()> {
    wait_until(ctx, "ecs:UpdateService", || async {
        let mut arns = Vec::new();
        for stopped in [false, true] {
            let filter = TaskFilter {
                service: Some(&n.service),
                stopped,
                ..TaskFilter::default()
            };
            arns.extend(ecs::list_tasks(ctx.clients, &n.cluster, &filter).await?);
        }
        if arns.is_empty() {
            return Ok(true);
        }
        let tasks = ecs::task_states(ctx.clients, &n.cluster, &arns).await?;
        Ok(!tasks
            .iter()
            .any(|t| is_service_task(t, &n.service) && t.last_status != "STOPPED"))
    })
    .await
}

/// Waits until the app's deleted service has drained: a DRAINING service still holds its cluster
/// ("You can't delete a cluster that contains services", API_DeleteCluster). `describe_service`
/// answers None once it is INACTIVE (DescribeServices still lists it for a while).
async fn wait_until_service_inactive(ctx: &TeardownContext<'_>, n: &Names) -> Result<()> {
    wait_until(ctx, "ecs:DeleteService", || async {
        Ok(ecs::describe_service(ctx.clients, &n.cluster, &n.service)
            .await?
            .is_none())
    })
    .await
}

/// Waits until the deleted Express service has drained (INACTIVE): until then its cluster
/// cannot be deleted ("You can't delete a cluster that contains services", API_DeleteCluster).
async fn wait_until_drained(ctx: &TeardownContext<'_>, arn: &str) -> Result<()> {
    wait_until(ctx, "ecs:DeleteExpressGatewayService", || async {
        Ok(!ecs::describe_express_service(ctx.clients, arn)
            .await?
            .is_some_and(|s| s.status == "ACTIVE" || s.status == "DRAINING"))
    })
    .await
}

async fn wait_for_tasks_stopped(
    ctx: &TeardownContext<'_>,
    n: &Names,
    arns: Vec<String>,
) -> Result<()> {
    if arns.is_empty() {
        return Ok(());
    }
    wait_until(ctx, "ecs:StopTask", || async {
        let tasks = ecs::task_states(ctx.clients, &n.cluster, &arns).await?;
        Ok(tasks.iter().all(|t| t.last_status == "STOPPED"))
    })
    .await
}
