//! ECS tasks: one-off runs, listing and describing what runs, and stopping a task.

use super::{ecs_tags, name_from_arn, TaskNetwork, DESCRIBE_TASKS_BATCH, LIST_PAGE_SIZE};
use crate::aws::call::Call;
use crate::aws::catalogue::ecs;
use crate::aws::AwsClients;
use crate::error::{BerthError, ErrorKind, Result};
use aws_sdk_ecs::types::{DesiredStatus, LaunchType, PropagateTags, TaskField};

/// What a one-off run starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunSpec {
    pub cluster: String,
    pub task_definition: String,
    pub count: i32,
    pub network: TaskNetwork,
    /// Marks the tasks as Berth's (ListTasks can filter on it).
    pub started_by: String,
}

pub fn run_task_call<'a>(
    clients: &'a AwsClients,
    spec: &RunSpec,
    tags: &[(String, String)],
) -> Call<'a> {
    clients
        .call(&ecs::RUN_TASK, &spec.task_definition)
        .opt("--cluster", &spec.cluster)
        .opt("--task-definition", &spec.task_definition)
        .opt("--count", spec.count.to_string())
        .opt("--launch-type", "FARGATE")
        .opt("--network-configuration", spec.network.cli_arg())
        .opt("--started-by", &spec.started_by)
        .opt("--propagate-tags", "TASK_DEFINITION")
        .tags(tags)
}

/// Starts tasks; returns their ARNs. Placement failures (AWS answers them as `failures`, not as
/// an error) become an error with the reasons.
pub async fn run_task(
    clients: &AwsClients,
    spec: &RunSpec,
    tags: &[(String, String)],
) -> Result<Vec<String>> {
    let request = clients
        .ecs()
        .run_task()
        .cluster(&spec.cluster)
        .task_definition(&spec.task_definition)
        .count(spec.count)
        .launch_type(LaunchType::Fargate)
        .network_configuration(spec.network.to_sdk()?)
        .started_by(&spec.started_by)
        .propagate_tags(PropagateTags::TaskDefinition)
        .set_tags(Some(ecs_tags(tags)))
        .send();
    run_task_call(clients, spec, tags)
        .send(request, |out| {
            let arns: Vec<String> = out
                .tasks()
                .iter()
                .filter_map(|t| t.task_arn().map(str::to_owned))
                .collect();
            if !arns.is_empty() {
                return Ok(arns);
            }
            let reasons: Vec<String> = out
                .failures()
                .iter()
                .map(|f| {
                    format!(
                        "{}: {}",
                        f.reason().unwrap_or("unknown"),
                        f.detail().unwrap_or_default()
                    )
                })
                .collect();
            Err(BerthError::new(ErrorKind::AwsRejected)
                .with("action", "ecs:RunTask")
                .with("code", "RunTaskFailed")
                .details(reasons.join("; ")))
        })
        .await
}

/// Which tasks to list.
#[derive(Debug, Clone, Copy, Default)]
pub struct TaskFilter<'a> {
    pub service: Option<&'a str>,
    /// Tasks started with this `startedBy`. AWS allows no other filter beside it (see
    /// [`list_tasks`]), so such a listing is of the tasks meant to run, whatever `stopped` says.
    pub started_by: Option<&'a str>,
    /// Tasks already told to stop (STOPPED) instead of those meant to run (RUNNING).
    pub stopped: bool,
}

/// The ARNs of the tasks of `cluster` that `filter` selects. No cluster (or no such service any
/// more) means no tasks.
pub async fn list_tasks(
    clients: &AwsClients,
    cluster: &str,
    filter: &TaskFilter<'_>,
) -> Result<Vec<String>> {
    let mut request = clients.ecs().list_tasks().cluster(cluster);
    let mut call = clients
        .call(&ecs::LIST_TASKS, cluster)
        .opt("--cluster", cluster);
    if let Some(started_by) = filter.started_by {
        // ListTasks: "When you specify startedBy as the filter, it must be the only filter that
        // you use" (AWS answers InvalidParameterException otherwise). Without desiredStatus
        // ECS lists the tasks meant to run.
        request = request.started_by(started_by);
        call = call.opt("--started-by", started_by);
    } else {
        let status = if filter.stopped {
            DesiredStatus::Stopped
        } else {
            DesiredStatus::Running
        };
        call = call
            .opt_some("--service-name", filter.service)
            .opt("--desired-status", status.as_str());
        request = request
            .set_service_name(filter.service.map(str::to_owned))
            .desired_status(status);
    }
    let request = request
        .into_paginator()
        .page_size(LIST_PAGE_SIZE)
        .items()
        .send()
        .try_collect();
    match call.send(request, Ok).await {
        Err(e)
            if matches!(
                e.param("code"),
                Some("ClusterNotFoundException" | "ServiceNotFoundException")
            ) =>
        {
            Ok(Vec::new())
        }
        other => other,
    }
}

/// The tasks named by `arns`, with their tags, 100 per call, as ECS answers them. Tasks ECS no
/// longer knows (stopped more than about an hour ago) are left out.
pub async fn describe_tasks(
    clients: &AwsClients,
    cluster: &str,
    arns: &[String],
) -> Result<Vec<aws_sdk_ecs::types::Task>> {
    let mut tasks = Vec::with_capacity(arns.len());
    for batch in arns.chunks(DESCRIBE_TASKS_BATCH) {
        let request = clients
            .ecs()
            .describe_tasks()
            .cluster(cluster)
            .set_tasks(Some(batch.to_vec()))
            .include(TaskField::Tags)
            .send();
        let found = clients
            .call(&ecs::DESCRIBE_TASKS, cluster)
            .opt("--cluster", cluster)
            .list("--tasks", batch.iter().map(|t| name_from_arn(t)))
            .opt("--include", "TAGS")
            .send(request, |out| Ok(out.tasks.unwrap_or_default()))
            .await?;
        tasks.extend(found);
    }
    Ok(tasks)
}

/// One container of a task, as the failure explanation needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerState {
    pub name: String,
    pub last_status: String,
    pub exit_code: Option<i32>,
    pub reason: Option<String>,
}

/// A task as the timeline shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Task {
    pub arn: String,
    pub id: String,
    pub task_definition: String,
    pub last_status: String,
    pub desired_status: String,
    pub stopped_reason: Option<String>,
    pub stop_code: Option<String>,
    /// `HEALTHY`, `UNHEALTHY` or `UNKNOWN` (no health check, or not yet known).
    pub health_status: Option<String>,
    pub containers: Vec<ContainerState>,
    /// The task's elastic network interface, once attached.
    pub eni: Option<String>,
    pub private_ip: Option<String>,
    pub started_by: Option<String>,
    pub group: Option<String>,
    /// Seconds since the epoch when the task was created (PENDING starts then).
    pub created_at: Option<i64>,
}

impl Task {
    pub fn from_sdk(t: &aws_sdk_ecs::types::Task) -> Task {
        let arn = t.task_arn().unwrap_or_default().to_owned();
        let detail = |name: &str| {
            t.attachments()
                .iter()
                .flat_map(|a| a.details())
                .find(|d| d.name() == Some(name))
                .and_then(|d| d.value().map(str::to_owned))
        };
        Task {
            id: name_from_arn(&arn).to_owned(),
            arn: arn.clone(),
            task_definition: t.task_definition_arn().unwrap_or_default().to_owned(),
            last_status: t.last_status().unwrap_or_default().to_owned(),
            desired_status: t.desired_status().unwrap_or_default().to_owned(),
            stopped_reason: t
                .stopped_reason()
                .filter(|r| !r.is_empty())
                .map(str::to_owned),
            stop_code: t.stop_code().map(|c| c.as_str().to_owned()),
            health_status: t.health_status().map(|h| h.as_str().to_owned()),
            containers: t
                .containers()
                .iter()
                .map(|c| ContainerState {
                    name: c.name().unwrap_or_default().to_owned(),
                    last_status: c.last_status().unwrap_or_default().to_owned(),
                    exit_code: c.exit_code(),
                    reason: c.reason().filter(|r| !r.is_empty()).map(str::to_owned),
                })
                .collect(),
            eni: detail("networkInterfaceId"),
            private_ip: detail("privateIPv4Address"),
            started_by: t.started_by().map(str::to_owned),
            group: t.group().map(str::to_owned),
            created_at: t.created_at().map(|d| d.secs()),
        }
    }
}

/// The tasks named by `arns`, in the timeline's shape.
pub async fn task_states(
    clients: &AwsClients,
    cluster: &str,
    arns: &[String],
) -> Result<Vec<Task>> {
    Ok(describe_tasks(clients, cluster, arns)
        .await?
        .iter()
        .map(Task::from_sdk)
        .collect())
}

pub fn stop_task_call<'a>(
    clients: &'a AwsClients,
    cluster: &str,
    arn: &str,
    reason: &str,
) -> Call<'a> {
    clients
        .call(&ecs::STOP_TASK, name_from_arn(arn))
        .opt("--cluster", cluster)
        .opt("--task", name_from_arn(arn))
        .opt("--reason", reason)
}

/// Stops a task, saying why (ECS keeps the reason on the stopped task).
pub async fn stop_task(clients: &AwsClients, cluster: &str, arn: &str, reason: &str) -> Result<()> {
    let request = clients
        .ecs()
        .stop_task()
        .cluster(cluster)
        .task(arn)
        .reason(reason)
        .send();
    stop_task_call(clients, cluster, arn, reason)
        .send(request, |_| Ok(()))
        .await
}
