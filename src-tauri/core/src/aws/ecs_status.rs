//! ECS, read side: what runs, listed in as few calls as the API allows. Lists are paginated
//! (100 per page), DescribeServices takes at most 10 services and DescribeTasks at most 100 tasks
//! per call, and task definitions (which never change once registered) are read once per ARN.
//! An account with hundreds of services thus stays quick and far under ECS's rate limits.

use super::{errors, AwsClients};
use crate::error::Result;
use aws_sdk_ecs::types::{
    DesiredStatus, LogDriver, Service, ServiceField, Task, TaskDefinition, TaskField,
};
use std::collections::HashMap;
use std::sync::Mutex;

/// Largest page ListClusters, ListServices and ListTasks return.
pub const LIST_PAGE_SIZE: usize = 100;
/// Most services one DescribeServices call accepts.
pub const DESCRIBE_SERVICES_BATCH: usize = 10;
/// Most tasks one DescribeTasks call accepts.
pub const DESCRIBE_TASKS_BATCH: usize = 100;

/// Every cluster ARN in the region.
pub async fn list_clusters(clients: &AwsClients) -> Result<Vec<String>> {
    let ecs = clients.ecs();
    let mut arns = Vec::new();
    let mut token = None;
    loop {
        let out = ecs
            .list_clusters()
            .max_results(LIST_PAGE_SIZE as i32)
            .set_next_token(token)
            .send()
            .await
            .map_err(|e| errors::from_sdk(e, "ecs:ListClusters"))?;
        arns.extend(out.cluster_arns.unwrap_or_default());
        token = out.next_token;
        if token.is_none() {
            return Ok(arns);
        }
    }
}

/// Every service ARN of `cluster`.
pub async fn list_services(clients: &AwsClients, cluster: &str) -> Result<Vec<String>> {
    let ecs = clients.ecs();
    let mut arns = Vec::new();
    let mut token = None;
    loop {
        let out = ecs
            .list_services()
            .cluster(cluster)
            .max_results(LIST_PAGE_SIZE as i32)
            .set_next_token(token)
            .send()
            .await
            .map_err(|e| errors::from_sdk(e, "ecs:ListServices"))?;
        arns.extend(out.service_arns.unwrap_or_default());
        token = out.next_token;
        if token.is_none() {
            return Ok(arns);
        }
    }
}

/// The services named by `arns`, with their tags, 10 per call. Services deleted meanwhile are
/// left out.
pub async fn describe_services(
    clients: &AwsClients,
    cluster: &str,
    arns: &[String],
) -> Result<Vec<Service>> {
    let ecs = clients.ecs();
    let mut services = Vec::with_capacity(arns.len());
    for batch in arns.chunks(DESCRIBE_SERVICES_BATCH) {
        let out = ecs
            .describe_services()
            .cluster(cluster)
            .set_services(Some(batch.to_vec()))
            .include(ServiceField::Tags)
            .send()
            .await
            .map_err(|e| errors::from_sdk(e, "ecs:DescribeServices"))?;
        services.extend(out.services.unwrap_or_default());
    }
    Ok(services)
}

/// The ARNs of the tasks of `cluster` that should be running (ECS's default listing: a task
/// that was told to stop drops out of it).
pub async fn list_running_tasks(clients: &AwsClients, cluster: &str) -> Result<Vec<String>> {
    let ecs = clients.ecs();
    let mut arns = Vec::new();
    let mut token = None;
    loop {
        let out = ecs
            .list_tasks()
            .cluster(cluster)
            .desired_status(DesiredStatus::Running)
            .max_results(LIST_PAGE_SIZE as i32)
            .set_next_token(token)
            .send()
            .await
            .map_err(|e| errors::from_sdk(e, "ecs:ListTasks"))?;
        arns.extend(out.task_arns.unwrap_or_default());
        token = out.next_token;
        if token.is_none() {
            return Ok(arns);
        }
    }
}

/// The tasks named by `arns`, with their tags, 100 per call. Tasks ECS no longer knows (stopped
/// more than about an hour ago) are left out.
pub async fn describe_tasks(
    clients: &AwsClients,
    cluster: &str,
    arns: &[String],
) -> Result<Vec<Task>> {
    let ecs = clients.ecs();
    let mut tasks = Vec::with_capacity(arns.len());
    for batch in arns.chunks(DESCRIBE_TASKS_BATCH) {
        let out = ecs
            .describe_tasks()
            .cluster(cluster)
            .set_tasks(Some(batch.to_vec()))
            .include(TaskField::Tags)
            .send()
            .await
            .map_err(|e| errors::from_sdk(e, "ecs:DescribeTasks"))?;
        tasks.extend(out.tasks.unwrap_or_default());
    }
    Ok(tasks)
}

/// Where a container's output goes in CloudWatch Logs (the `awslogs` driver's options).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogTarget {
    pub group: String,
    /// `awslogs-stream-prefix`: streams are named `<prefix>/<container>/<task id>`.
    pub stream_prefix: Option<String>,
    /// `awslogs-region`, when it differs from the task's.
    pub region: Option<String>,
}

/// One container of a task definition, as the dashboard needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerFacts {
    pub name: String,
    pub image: String,
    pub essential: bool,
    pub log: Option<LogTarget>,
}

/// What the dashboard needs from a task definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskDefinitionFacts {
    pub arn: String,
    pub family: String,
    pub revision: i32,
    /// `X86_64` or `ARM64` (X86_64 when the definition names none, as ECS assumes).
    pub cpu_architecture: String,
    pub cpu: Option<String>,
    pub memory: Option<String>,
    pub containers: Vec<ContainerFacts>,
}

impl TaskDefinitionFacts {
    pub fn from_sdk(def: &TaskDefinition) -> Self {
        let containers = def
            .container_definitions()
            .iter()
            .map(|c| ContainerFacts {
                name: c.name().unwrap_or_default().to_owned(),
                image: c.image().unwrap_or_default().to_owned(),
                essential: c.essential().unwrap_or(true),
                log: c.log_configuration().and_then(|log| {
                    if log.log_driver() != &LogDriver::Awslogs {
                        return None;
                    }
                    let options = log.options()?;
                    Some(LogTarget {
                        group: options.get("awslogs-group")?.clone(),
                        stream_prefix: options.get("awslogs-stream-prefix").cloned(),
                        region: options.get("awslogs-region").cloned(),
                    })
                }),
            })
            .collect();
        TaskDefinitionFacts {
            arn: def.task_definition_arn().unwrap_or_default().to_owned(),
            family: def.family().unwrap_or_default().to_owned(),
            revision: def.revision(),
            cpu_architecture: def
                .runtime_platform()
                .and_then(|p| p.cpu_architecture())
                .map(|a| a.as_str().to_owned())
                .unwrap_or_else(|| "X86_64".to_owned()),
            cpu: def.cpu().map(str::to_owned),
            memory: def.memory().map(str::to_owned),
            containers,
        }
    }
}

/// Task definitions already read, by ARN. A registered revision never changes, so an entry never
/// goes stale; the cache only grows by the revisions a user actually runs.
#[derive(Debug, Default)]
pub struct TaskDefinitionCache {
    known: Mutex<HashMap<String, TaskDefinitionFacts>>,
}

impl TaskDefinitionCache {
    pub fn get(&self, arn: &str) -> Option<TaskDefinitionFacts> {
        self.lock().get(arn).cloned()
    }

    pub fn insert(&self, facts: TaskDefinitionFacts) {
        self.lock().insert(facts.arn.clone(), facts);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, TaskDefinitionFacts>> {
        self.known.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The task definitions named by `arns`, read from AWS only when not cached yet (one call each:
/// the API has no batch form). A definition that cannot be read is left out rather than failing
/// the whole refresh: the dashboard then lacks its image and logs, nothing more.
pub async fn task_definitions(
    clients: &AwsClients,
    cache: &TaskDefinitionCache,
    arns: impl IntoIterator<Item = &str>,
) -> Result<HashMap<String, TaskDefinitionFacts>> {
    let mut found = HashMap::new();
    for arn in arns {
        if found.contains_key(arn) {
            continue;
        }
        let facts = match cache.get(arn) {
            Some(facts) => facts,
            None => match describe_task_definition(clients, arn).await {
                Ok(def) => {
                    let facts = TaskDefinitionFacts::from_sdk(&def);
                    cache.insert(facts.clone());
                    facts
                }
                Err(e) if e.kind == crate::ErrorKind::NotFound => continue,
                Err(e) if e.kind == crate::ErrorKind::AwsRejected => continue,
                Err(e) => return Err(e),
            },
        };
        found.insert(arn.to_owned(), facts);
    }
    Ok(found)
}

/// One task definition, whole (the service actions copy it into a new revision).
pub async fn describe_task_definition(clients: &AwsClients, arn: &str) -> Result<TaskDefinition> {
    clients
        .ecs()
        .describe_task_definition()
        .task_definition(arn)
        .send()
        .await
        .map_err(|e| errors::from_sdk(e, "ecs:DescribeTaskDefinition"))?
        .task_definition
        .ok_or_else(|| crate::BerthError::internal("DescribeTaskDefinition answered without one"))
}

/// The last part of an ARN: a cluster's or service's name, a task's id.
pub fn name_from_arn(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_the_last_part_of_short_and_long_arns() {
        assert_eq!(
            name_from_arn("arn:aws:ecs:us-east-1:123456789012:cluster/web"),
            "web"
        );
        assert_eq!(
            name_from_arn("arn:aws:ecs:us-east-1:123456789012:service/web/api"),
            "api"
        );
        assert_eq!(
            name_from_arn("arn:aws:ecs:us-east-1:123456789012:task/web/0f1e2d"),
            "0f1e2d"
        );
        assert_eq!(name_from_arn("plain"), "plain");
    }
}
