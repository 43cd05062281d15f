//! One-off tasks (task mode): tasks of the same revision that still run are reused, the rest
//! are started.

use crate::aws::ecs::{self, RunSpec, Task, TaskFilter};
use crate::aws::AwsClients;
use crate::error::{BerthError, Result};
use crate::wizard::launch::context::LaunchContext;
use crate::wizard::launch::desired::{Desired, Target};
use crate::wizard::launch::kinds::{Outcome, PlanAction, PlanItem, ResourceKind};
use crate::wizard::launch::record::LaunchRecord;
use crate::wizard::launch::STARTED_BY;

/// One-off tasks of this app that Berth started and that still run (or are starting).
pub async fn live(clients: &AwsClients, d: &Desired) -> Result<Vec<Task>> {
    let filter = TaskFilter {
        started_by: Some(STARTED_BY),
        ..TaskFilter::default()
    };
    let arns = ecs::list_tasks(clients, &d.names.cluster, &filter).await?;
    if arns.is_empty() {
        return Ok(Vec::new());
    }
    let tasks = ecs::task_states(clients, &d.names.cluster, &arns).await?;
    Ok(tasks
        .into_iter()
        // ListTasks takes no family beside startedBy: keep this app's family here.
        .filter(|t| ecs::family_of(&t.task_definition) == Some(d.names.family.as_str()))
        .filter(|t| {
            t.desired_status == "RUNNING"
                && matches!(
                    t.last_status.as_str(),
                    "PROVISIONING" | "PENDING" | "ACTIVATING" | "RUNNING"
                )
        })
        .collect())
}

fn run_spec(d: &Desired, target: &Target<'_>, count: i32) -> RunSpec {
    let (task_definition, group) = target.named(d);
    RunSpec {
        cluster: d.names.cluster.clone(),
        task_definition,
        count,
        network: d.task_network(&group),
        started_by: STARTED_BY.to_owned(),
    }
}

/// The plan's line, and the ARNs of the live tasks it reuses.
pub fn inspect(
    clients: &AwsClients,
    d: &Desired,
    live: &[Task],
    target: &Target<'_>,
) -> (PlanItem, Vec<String>) {
    let same: Vec<String> = live
        .iter()
        .filter(|t| Some(t.task_definition.as_str()) == target.task_definition)
        .map(|t| t.arn.clone())
        .collect();
    let missing = (d.count - same.len() as i32).max(0);
    let item = PlanItem {
        resource: ResourceKind::Task,
        name: d.names.family.clone(),
        action: if missing == 0 {
            PlanAction::Reuse
        } else {
            PlanAction::Run
        },
        id: None,
        changes: Vec::new(),
        commands: if missing == 0 {
            Vec::new()
        } else {
            vec![
                ecs::run_task_call(clients, &run_spec(d, target, missing), &d.tags)
                    .command()
                    .render(),
            ]
        },
    };
    (item, same)
}

/// Starts the one-off tasks still missing; returns every task of this launch.
pub async fn ensure(
    ctx: &LaunchContext<'_>,
    d: &Desired,
    target: &Target<'_>,
    record: &mut LaunchRecord,
) -> Result<Vec<String>> {
    if target.task_definition.is_none() || target.security_group.is_none() {
        return Err(BerthError::internal(
            "task target without task definition or group",
        ));
    }
    let live = live(ctx.clients, d).await?;
    let (item, mut arns) = inspect(ctx.clients, d, &live, target);
    let name = &d.names.family;
    if item.action == PlanAction::Reuse {
        record.tasks = arns.clone();
        ctx.done(
            record,
            ResourceKind::Task,
            name,
            Outcome::Reused,
            arns.first().cloned(),
            None,
        )?;
        return Ok(arns);
    }
    let spec = run_spec(d, target, d.count - arns.len() as i32);
    let call = ecs::run_task_call(ctx.clients, &spec, &d.tags);
    let role = &d.task_definition.execution_role_arn;
    let started = ctx
        .patiently(role, || ecs::run_task(ctx.clients, &spec, &d.tags))
        .await?;
    arns.extend(started);
    record.tasks = arns.clone();
    ctx.done(
        record,
        ResourceKind::Task,
        name,
        Outcome::Started,
        arns.last().cloned(),
        Some(call.command()),
    )?;
    Ok(arns)
}
