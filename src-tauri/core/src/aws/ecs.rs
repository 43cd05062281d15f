//! ECS: clusters, task definitions, services and tasks, in the plain shapes the Launch step needs.

use super::{errors, AwsClients};
use crate::error::{BerthError, ErrorKind, Result};
use crate::fargate::Architecture;
use aws_sdk_ecs::types::{
    AssignPublicIp, AwsVpcConfiguration, ClusterField, Compatibility, ContainerDefinition,
    DesiredStatus, KeyValuePair, LaunchType, LogConfiguration, LogDriver, NetworkConfiguration,
    NetworkMode, OsFamily, PortMapping, RuntimePlatform, ServiceField, Tag, TaskDefinitionField,
    TaskField, TransportProtocol,
};

/// Tags as ECS takes them.
fn ecs_tags(tags: &[(String, String)]) -> Vec<Tag> {
    tags.iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build())
        .collect()
}

fn plain_tags(tags: &[Tag]) -> Vec<(String, String)> {
    tags.iter()
        .filter_map(|t| {
            Some((
                t.key()?.to_owned(),
                t.value().unwrap_or_default().to_owned(),
            ))
        })
        .collect()
}

/// A cluster as Berth sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cluster {
    pub name: String,
    pub arn: String,
    /// `ACTIVE`, `INACTIVE` (deleted), `PROVISIONING`…
    pub status: String,
    pub tags: Vec<(String, String)>,
    pub active_services: i32,
    pub running_tasks: i32,
    pub pending_tasks: i32,
}

/// The cluster called `name`, unless there is none or it was deleted.
pub async fn describe_cluster(clients: &AwsClients, name: &str) -> Result<Option<Cluster>> {
    let out = clients
        .ecs()
        .describe_clusters()
        .clusters(name)
        .include(ClusterField::Tags)
        .send()
        .await
        .map_err(|e| errors::from_sdk(e, "ecs:DescribeClusters"))?;
    Ok(out
        .clusters()
        .iter()
        .find(|c| c.status() != Some("INACTIVE"))
        .map(|c| Cluster {
            name: c.cluster_name().unwrap_or(name).to_owned(),
            arn: c.cluster_arn().unwrap_or_default().to_owned(),
            status: c.status().unwrap_or_default().to_owned(),
            tags: plain_tags(c.tags()),
            active_services: c.active_services_count(),
            running_tasks: c.running_tasks_count(),
            pending_tasks: c.pending_tasks_count(),
        }))
}

pub async fn create_cluster(
    clients: &AwsClients,
    name: &str,
    tags: &[(String, String)],
) -> Result<String> {
    let out = clients
        .ecs()
        .create_cluster()
        .cluster_name(name)
        .set_tags(Some(ecs_tags(tags)))
        .send()
        .await
        .map_err(|e| errors::from_sdk(e, "ecs:CreateCluster"))?;
    Ok(out
        .cluster()
        .and_then(|c| c.cluster_arn())
        .unwrap_or_default()
        .to_owned())
}

pub async fn delete_cluster(clients: &AwsClients, name: &str) -> Result<()> {
    clients
        .ecs()
        .delete_cluster()
        .cluster(name)
        .send()
        .await
        .map_err(|e| errors::from_sdk(e, "ecs:DeleteCluster"))?;
    Ok(())
}

/// The one container of a Berth task definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerSpec {
    pub name: String,
    pub image: String,
    pub port: u16,
    /// Sorted by name, so two specs compare equal whatever order the user typed them in.
    pub environment: Vec<(String, String)>,
    /// Empty: the image's own command.
    pub command: Vec<String>,
    pub log_group: String,
    pub log_region: String,
    pub log_stream_prefix: String,
}

/// What Berth registers: a Fargate task definition with one container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskDefinitionSpec {
    pub family: String,
    /// CPU units and MiB.
    pub cpu: u32,
    pub memory: u32,
    pub architecture: Architecture,
    pub execution_role_arn: String,
    pub container: ContainerSpec,
}

/// A registered revision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskDefinition {
    pub arn: String,
    pub revision: i32,
    /// `None` when the revision holds something Berth does not make (several containers…).
    pub spec: Option<TaskDefinitionSpec>,
    pub tags: Vec<(String, String)>,
}

fn container_definition(c: &ContainerSpec, memory: u32) -> Result<ContainerDefinition> {
    let logs = LogConfiguration::builder()
        .log_driver(LogDriver::Awslogs)
        .options("awslogs-group", &c.log_group)
        .options("awslogs-region", &c.log_region)
        .options("awslogs-stream-prefix", &c.log_stream_prefix)
        .build()
        .map_err(BerthError::internal)?;
    let environment = c
        .environment
        .iter()
        .map(|(k, v)| KeyValuePair::builder().name(k).value(v).build())
        .collect();
    Ok(ContainerDefinition::builder()
        .name(&c.name)
        .image(&c.image)
        .essential(true)
        // Fargate needs only the task-level memory; moto's RunTask also wants it per container.
        .memory(memory as i32)
        .port_mappings(
            PortMapping::builder()
                .container_port(i32::from(c.port))
                .protocol(TransportProtocol::Tcp)
                .build(),
        )
        .set_environment(Some(environment))
        .set_command((!c.command.is_empty()).then(|| c.command.clone()))
        .log_configuration(logs)
        .build())
}

/// The `--container-definitions` JSON of a spec, for the CLI equivalent.
pub fn container_definitions_json(spec: &TaskDefinitionSpec) -> String {
    let c = &spec.container;
    let mut container = serde_json::json!({
        "name": c.name,
        "image": c.image,
        "essential": true,
        "memory": spec.memory,
        "portMappings": [{"containerPort": c.port, "protocol": "tcp"}],
        "environment": c.environment.iter()
            .map(|(k, v)| serde_json::json!({"name": k, "value": v}))
            .collect::<Vec<_>>(),
        "logConfiguration": {
            "logDriver": "awslogs",
            "options": {
                "awslogs-group": c.log_group,
                "awslogs-region": c.log_region,
                "awslogs-stream-prefix": c.log_stream_prefix,
            }
        }
    });
    if !c.command.is_empty() {
        container["command"] = serde_json::json!(c.command);
    }
    serde_json::json!([container]).to_string()
}

pub async fn register_task_definition(
    clients: &AwsClients,
    spec: &TaskDefinitionSpec,
    tags: &[(String, String)],
) -> Result<String> {
    let out = clients
        .ecs()
        .register_task_definition()
        .family(&spec.family)
        .requires_compatibilities(Compatibility::Fargate)
        .network_mode(NetworkMode::Awsvpc)
        .cpu(spec.cpu.to_string())
        .memory(spec.memory.to_string())
        .execution_role_arn(&spec.execution_role_arn)
        .runtime_platform(
            RuntimePlatform::builder()
                .cpu_architecture(spec.architecture.as_ecs().into())
                .operating_system_family(OsFamily::Linux)
                .build(),
        )
        .container_definitions(container_definition(&spec.container, spec.memory)?)
        .set_tags(Some(ecs_tags(tags)))
        .send()
        .await
        .map_err(|e| errors::from_sdk(e, "ecs:RegisterTaskDefinition"))?;
    Ok(out
        .task_definition()
        .and_then(|t| t.task_definition_arn())
        .unwrap_or_default()
        .to_owned())
}

/// ARNs of the ACTIVE revisions of `family`, newest first.
pub async fn list_task_definitions(clients: &AwsClients, family: &str) -> Result<Vec<String>> {
    let mut arns = Vec::new();
    let mut next = None;
    loop {
        let out = clients
            .ecs()
            .list_task_definitions()
            .family_prefix(family)
            .status(aws_sdk_ecs::types::TaskDefinitionStatus::Active)
            .sort(aws_sdk_ecs::types::SortOrder::Desc)
            .set_next_token(next)
            .send()
            .await
            .map_err(|e| errors::from_sdk(e, "ecs:ListTaskDefinitions"))?;
        // familyPrefix matches the family exactly on AWS; keep only that family anyway.
        arns.extend(
            out.task_definition_arns()
                .iter()
                .filter(|arn| family_of(arn) == Some(family))
                .cloned(),
        );
        next = out.next_token().map(str::to_owned);
        if next.is_none() {
            break;
        }
    }
    // Newest first, whatever order the service answered in.
    arns.sort_by_key(|arn| std::cmp::Reverse(revision_of(arn)));
    Ok(arns)
}

/// `arn:…:task-definition/web:3` → `web`.
pub fn family_of(arn: &str) -> Option<&str> {
    arn.rsplit('/').next()?.split(':').next()
}

/// `arn:…:task-definition/web:3` → 3.
pub fn revision_of(arn: &str) -> i32 {
    arn.rsplit(':')
        .next()
        .and_then(|r| r.parse().ok())
        .unwrap_or(0)
}

pub async fn describe_task_definition(
    clients: &AwsClients,
    arn_or_family: &str,
) -> Result<TaskDefinition> {
    let out = clients
        .ecs()
        .describe_task_definition()
        .task_definition(arn_or_family)
        .include(TaskDefinitionField::Tags)
        .send()
        .await
        .map_err(|e| errors::from_sdk(e, "ecs:DescribeTaskDefinition"))?;
    let td = out
        .task_definition()
        .ok_or_else(|| BerthError::internal("DescribeTaskDefinition answered without one"))?;
    Ok(TaskDefinition {
        arn: td.task_definition_arn().unwrap_or_default().to_owned(),
        revision: td.revision(),
        spec: spec_of(td),
        tags: plain_tags(out.tags()),
    })
}

/// Reads a registered task definition back into Berth's spec, if it has Berth's shape.
fn spec_of(td: &aws_sdk_ecs::types::TaskDefinition) -> Option<TaskDefinitionSpec> {
    let [c] = td.container_definitions() else {
        return None;
    };
    let logs = c.log_configuration()?;
    let option = |name: &str| logs.options().and_then(|o| o.get(name)).cloned();
    let mut environment: Vec<(String, String)> = c
        .environment()
        .iter()
        .filter_map(|kv| {
            Some((
                kv.name()?.to_owned(),
                kv.value().unwrap_or_default().to_owned(),
            ))
        })
        .collect();
    environment.sort();
    let architecture = match td.runtime_platform().and_then(|p| p.cpu_architecture()) {
        Some(a) if a.as_str() == "ARM64" => Architecture::Arm64,
        // ECS's default when none is given.
        _ => Architecture::X86_64,
    };
    Some(TaskDefinitionSpec {
        family: td.family()?.to_owned(),
        cpu: td.cpu()?.parse().ok()?,
        memory: td.memory()?.parse().ok()?,
        architecture,
        execution_role_arn: td.execution_role_arn()?.to_owned(),
        container: ContainerSpec {
            name: c.name()?.to_owned(),
            image: c.image()?.to_owned(),
            port: u16::try_from(c.port_mappings().first()?.container_port()?).ok()?,
            environment,
            command: c.command().to_vec(),
            log_group: option("awslogs-group")?,
            log_region: option("awslogs-region")?,
            log_stream_prefix: option("awslogs-stream-prefix")?,
        },
    })
}

pub async fn deregister_task_definition(clients: &AwsClients, arn: &str) -> Result<()> {
    clients
        .ecs()
        .deregister_task_definition()
        .task_definition(arn)
        .send()
        .await
        .map_err(|e| errors::from_sdk(e, "ecs:DeregisterTaskDefinition"))?;
    Ok(())
}

/// Where a task's network interface goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskNetwork {
    pub subnets: Vec<String>,
    pub security_groups: Vec<String>,
    pub public_ip: bool,
}

fn network_configuration(network: &TaskNetwork) -> Result<NetworkConfiguration> {
    let vpc = AwsVpcConfiguration::builder()
        .set_subnets(Some(network.subnets.clone()))
        .set_security_groups(Some(network.security_groups.clone()))
        .assign_public_ip(if network.public_ip {
            AssignPublicIp::Enabled
        } else {
            AssignPublicIp::Disabled
        })
        .build()
        .map_err(BerthError::internal)?;
    Ok(NetworkConfiguration::builder()
        .awsvpc_configuration(vpc)
        .build())
}

fn network_of(config: Option<&NetworkConfiguration>) -> Option<TaskNetwork> {
    let vpc = config?.awsvpc_configuration()?;
    let mut subnets = vpc.subnets().to_vec();
    subnets.sort();
    let mut security_groups = vpc.security_groups().to_vec();
    security_groups.sort();
    Some(TaskNetwork {
        subnets,
        security_groups,
        public_ip: vpc.assign_public_ip() == Some(&AssignPublicIp::Enabled),
    })
}

/// A service as Berth sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    pub name: String,
    pub arn: String,
    /// `ACTIVE` or `DRAINING` (being deleted).
    pub status: String,
    pub task_definition: String,
    pub desired: i32,
    pub running: i32,
    pub pending: i32,
    pub network: Option<TaskNetwork>,
    pub tags: Vec<(String, String)>,
    /// The newest service event messages, newest first.
    pub events: Vec<String>,
}

/// The service `name` in `cluster`, unless there is none or it was deleted (INACTIVE).
pub async fn describe_service(
    clients: &AwsClients,
    cluster: &str,
    name: &str,
) -> Result<Option<Service>> {
    let result = clients
        .ecs()
        .describe_services()
        .cluster(cluster)
        .services(name)
        .include(ServiceField::Tags)
        .send()
        .await;
    let out = match result {
        Ok(out) => out,
        // No cluster: no service either.
        Err(e) => {
            let err = errors::from_sdk(e, "ecs:DescribeServices");
            if err.param("code") == Some("ClusterNotFoundException") {
                return Ok(None);
            }
            return Err(err);
        }
    };
    Ok(out
        .services()
        .iter()
        .find(|s| s.status() != Some("INACTIVE"))
        .map(|s| Service {
            name: s.service_name().unwrap_or(name).to_owned(),
            arn: s.service_arn().unwrap_or_default().to_owned(),
            status: s.status().unwrap_or_default().to_owned(),
            task_definition: s.task_definition().unwrap_or_default().to_owned(),
            desired: s.desired_count(),
            running: s.running_count(),
            pending: s.pending_count(),
            network: network_of(s.network_configuration()),
            tags: plain_tags(s.tags()),
            events: s
                .events()
                .iter()
                .take(5)
                .filter_map(|e| e.message().map(str::to_owned))
                .collect(),
        }))
}

/// The names of the ACTIVE services in `cluster`.
pub async fn list_services(clients: &AwsClients, cluster: &str) -> Result<Vec<String>> {
    let mut arns = Vec::new();
    let mut next = None;
    loop {
        let out = clients
            .ecs()
            .list_services()
            .cluster(cluster)
            .set_next_token(next)
            .send()
            .await
            .map_err(|e| errors::from_sdk(e, "ecs:ListServices"))?;
        arns.extend(out.service_arns().iter().cloned());
        next = out.next_token().map(str::to_owned);
        if next.is_none() {
            break;
        }
    }
    Ok(arns)
}

/// What a new or updated service runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceSpec {
    pub cluster: String,
    pub name: String,
    pub task_definition: String,
    pub desired: i32,
    pub network: TaskNetwork,
}

pub async fn create_service(
    clients: &AwsClients,
    spec: &ServiceSpec,
    tags: &[(String, String)],
) -> Result<String> {
    let out = clients
        .ecs()
        .create_service()
        .cluster(&spec.cluster)
        .service_name(&spec.name)
        .task_definition(&spec.task_definition)
        .desired_count(spec.desired)
        .launch_type(LaunchType::Fargate)
        .network_configuration(network_configuration(&spec.network)?)
        .propagate_tags(aws_sdk_ecs::types::PropagateTags::Service)
        .set_tags(Some(ecs_tags(tags)))
        .send()
        .await
        .map_err(|e| errors::from_sdk(e, "ecs:CreateService"))?;
    Ok(out
        .service()
        .and_then(|s| s.service_arn())
        .unwrap_or_default()
        .to_owned())
}

pub async fn update_service(clients: &AwsClients, spec: &ServiceSpec) -> Result<()> {
    clients
        .ecs()
        .update_service()
        .cluster(&spec.cluster)
        .service(&spec.name)
        .task_definition(&spec.task_definition)
        .desired_count(spec.desired)
        .network_configuration(network_configuration(&spec.network)?)
        .send()
        .await
        .map_err(|e| errors::from_sdk(e, "ecs:UpdateService"))?;
    Ok(())
}

pub async fn scale_service(
    clients: &AwsClients,
    cluster: &str,
    name: &str,
    desired: i32,
) -> Result<()> {
    clients
        .ecs()
        .update_service()
        .cluster(cluster)
        .service(name)
        .desired_count(desired)
        .send()
        .await
        .map_err(|e| errors::from_sdk(e, "ecs:UpdateService"))?;
    Ok(())
}

pub async fn delete_service(clients: &AwsClients, cluster: &str, name: &str) -> Result<()> {
    clients
        .ecs()
        .delete_service()
        .cluster(cluster)
        .service(name)
        .send()
        .await
        .map_err(|e| errors::from_sdk(e, "ecs:DeleteService"))?;
    Ok(())
}

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

/// Starts tasks; returns their ARNs. Placement failures (AWS answers them as `failures`, not as
/// an error) become an error with the reasons.
pub async fn run_task(
    clients: &AwsClients,
    spec: &RunSpec,
    tags: &[(String, String)],
) -> Result<Vec<String>> {
    let out = clients
        .ecs()
        .run_task()
        .cluster(&spec.cluster)
        .task_definition(&spec.task_definition)
        .count(spec.count)
        .launch_type(LaunchType::Fargate)
        .network_configuration(network_configuration(&spec.network)?)
        .started_by(&spec.started_by)
        .propagate_tags(aws_sdk_ecs::types::PropagateTags::TaskDefinition)
        .set_tags(Some(ecs_tags(tags)))
        .send()
        .await
        .map_err(|e| errors::from_sdk(e, "ecs:RunTask"))?;
    let arns: Vec<String> = out
        .tasks()
        .iter()
        .filter_map(|t| t.task_arn().map(str::to_owned))
        .collect();
    if arns.is_empty() {
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
        return Err(BerthError::new(ErrorKind::AwsRejected)
            .with("action", "ecs:RunTask")
            .with("code", "RunTaskFailed")
            .details(reasons.join("; ")));
    }
    Ok(arns)
}

/// Which tasks to list.
#[derive(Debug, Clone, Default)]
pub struct TaskFilter<'a> {
    pub family: Option<&'a str>,
    pub service: Option<&'a str>,
    pub started_by: Option<&'a str>,
    /// Tasks meant to run (RUNNING) or already told to stop (STOPPED).
    pub stopped: bool,
}

pub async fn list_tasks(
    clients: &AwsClients,
    cluster: &str,
    filter: &TaskFilter<'_>,
) -> Result<Vec<String>> {
    let mut arns = Vec::new();
    let mut next = None;
    loop {
        let result = clients
            .ecs()
            .list_tasks()
            .cluster(cluster)
            .set_family(filter.family.map(str::to_owned))
            .set_service_name(filter.service.map(str::to_owned))
            .set_started_by(filter.started_by.map(str::to_owned))
            .desired_status(if filter.stopped {
                DesiredStatus::Stopped
            } else {
                DesiredStatus::Running
            })
            .set_next_token(next)
            .send()
            .await;
        let out = match result {
            Ok(out) => out,
            Err(e) => {
                let err = errors::from_sdk(e, "ecs:ListTasks");
                // No cluster (or no such service any more): no tasks.
                if matches!(
                    err.param("code"),
                    Some("ClusterNotFoundException" | "ServiceNotFoundException")
                ) {
                    return Ok(arns);
                }
                return Err(err);
            }
        };
        arns.extend(out.task_arns().iter().cloned());
        next = out.next_token().map(str::to_owned);
        if next.is_none() {
            break;
        }
    }
    Ok(arns)
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
    pub containers: Vec<ContainerState>,
    /// The task's elastic network interface, once attached.
    pub eni: Option<String>,
    pub private_ip: Option<String>,
    pub started_by: Option<String>,
    pub group: Option<String>,
    /// Seconds since the epoch when the task was created (PENDING starts then).
    pub created_at: Option<i64>,
}

/// `arn:aws:ecs:…:task/cluster/abc123` → `abc123`.
pub fn task_id(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

pub async fn describe_tasks(
    clients: &AwsClients,
    cluster: &str,
    arns: &[String],
) -> Result<Vec<Task>> {
    let mut tasks = Vec::new();
    // DescribeTasks takes at most 100 tasks per call.
    for chunk in arns.chunks(100) {
        let out = clients
            .ecs()
            .describe_tasks()
            .cluster(cluster)
            .set_tasks(Some(chunk.to_vec()))
            .include(TaskField::Tags)
            .send()
            .await
            .map_err(|e| errors::from_sdk(e, "ecs:DescribeTasks"))?;
        tasks.extend(out.tasks().iter().map(|t| {
            let arn = t.task_arn().unwrap_or_default().to_owned();
            let detail = |name: &str| {
                t.attachments()
                    .iter()
                    .flat_map(|a| a.details())
                    .find(|d| d.name() == Some(name))
                    .and_then(|d| d.value().map(str::to_owned))
            };
            Task {
                id: task_id(&arn).to_owned(),
                arn: arn.clone(),
                task_definition: t.task_definition_arn().unwrap_or_default().to_owned(),
                last_status: t.last_status().unwrap_or_default().to_owned(),
                desired_status: t.desired_status().unwrap_or_default().to_owned(),
                stopped_reason: t
                    .stopped_reason()
                    .filter(|r| !r.is_empty())
                    .map(str::to_owned),
                stop_code: t.stop_code().map(|c| c.as_str().to_owned()),
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
        }));
    }
    Ok(tasks)
}

pub async fn stop_task(clients: &AwsClients, cluster: &str, arn: &str, reason: &str) -> Result<()> {
    clients
        .ecs()
        .stop_task()
        .cluster(cluster)
        .task(arn)
        .reason(reason)
        .send()
        .await
        .map_err(|e| errors::from_sdk(e, "ecs:StopTask"))?;
    Ok(())
}
