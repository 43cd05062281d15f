//! What the Deployments view needs to know of the task definitions it shows, read once per
//! revision (a registered revision never changes).

use super::describe_task_definition;
use crate::aws::AwsClients;
use crate::error::Result;
use aws_sdk_ecs::types::LogDriver;
use std::collections::HashMap;
use std::sync::Mutex;

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
    /// When it was registered, in milliseconds since the Unix epoch.
    pub registered_at: Option<u64>,
    /// The principal that registered it (an IAM user's or assumed role's ARN).
    pub registered_by: Option<String>,
}

impl TaskDefinitionFacts {
    /// The container that decides what the task runs: the first essential one (as
    /// `register_copy` picks it), else the first.
    pub fn main_container(&self) -> Option<&ContainerFacts> {
        self.containers
            .iter()
            .find(|c| c.essential)
            .or(self.containers.first())
    }

    pub fn from_sdk(def: &aws_sdk_ecs::types::TaskDefinition) -> Self {
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
            registered_at: def
                .registered_at()
                .and_then(|t| t.to_millis().ok())
                .and_then(|m| u64::try_from(m).ok()),
            registered_by: def.registered_by().map(str::to_owned),
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
                    let facts = TaskDefinitionFacts::from_sdk(&def.registered);
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
