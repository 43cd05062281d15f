//! ECS task definitions: the one-container Fargate definition Berth registers (built once, as the
//! SDK value the request sends; the CLI's `--container-definitions` JSON is rendered from that
//! same value), reading definitions back, and copying one into a new revision.

use super::{about, ecs_tags, plain_tags};
use crate::aws::call::Call;
use crate::aws::catalogue::ecs;
use crate::aws::AwsClients;
use crate::error::{BerthError, ErrorKind, Result};
use crate::fargate::Architecture;
use aws_sdk_ecs::operation::list_task_definitions::ListTaskDefinitionsError;
use aws_sdk_ecs::types::{
    Compatibility, ContainerDefinition, KeyValuePair, LogConfiguration, LogDriver, NetworkMode,
    OsFamily, PortMapping, RuntimePlatform, Secret, SortOrder, TaskDefinitionField,
    TaskDefinitionStatus, TransportProtocol,
};
use serde_json::{json, Value};

/// The one container of a Berth task definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerSpec {
    pub name: String,
    pub image: String,
    pub port: u16,
    /// Sorted by name, so two specs compare equal whatever order the user typed them in.
    pub environment: Vec<(String, String)>,
    /// `(name, valueFrom)`: variables ECS reads from SSM Parameter Store (the parameter's ARN)
    /// when it starts the task. Sorted by name.
    pub secrets: Vec<(String, String)>,
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
#[derive(Debug, Clone, PartialEq)]
pub struct TaskDefinition {
    pub arn: String,
    pub family: String,
    pub revision: i32,
    /// `None` when the revision holds something Berth does not make (several containers…).
    pub spec: Option<TaskDefinitionSpec>,
    pub tags: Vec<(String, String)>,
    /// Everything ECS answered, for copying it into a new revision.
    pub registered: aws_sdk_ecs::types::TaskDefinition,
}

/// The container definition a spec registers. Fargate needs only the task-level memory; the
/// container-level one is there for emulators whose RunTask wants it (it equals the task's).
fn container_definition(spec: &TaskDefinitionSpec) -> Result<ContainerDefinition> {
    let c = &spec.container;
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
    let secrets = c
        .secrets
        .iter()
        .map(|(name, from)| Secret::builder().name(name).value_from(from).build())
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(BerthError::internal)?;
    Ok(ContainerDefinition::builder()
        .name(&c.name)
        .image(&c.image)
        .essential(true)
        .memory(spec.memory as i32)
        .port_mappings(
            PortMapping::builder()
                .container_port(i32::from(c.port))
                .protocol(TransportProtocol::Tcp)
                .build(),
        )
        .set_environment(Some(environment))
        .set_secrets((!secrets.is_empty()).then_some(secrets))
        .set_command((!c.command.is_empty()).then(|| c.command.clone()))
        .log_configuration(logs)
        .build())
}

/// The CLI's JSON for a container definition, read from the SDK value that is sent.
fn container_json(c: &ContainerDefinition) -> Value {
    let mut out = json!({
        "name": c.name(),
        "image": c.image(),
        "essential": c.essential(),
        "memory": c.memory(),
        "portMappings": c.port_mappings().iter().map(|p| json!({
            "containerPort": p.container_port(),
            "protocol": p.protocol().map(|p| p.as_str()),
        })).collect::<Vec<_>>(),
        "environment": c.environment().iter().map(|kv| json!({
            "name": kv.name(),
            "value": kv.value(),
        })).collect::<Vec<_>>(),
    });
    if !c.secrets().is_empty() {
        out["secrets"] = c
            .secrets()
            .iter()
            .map(|s| json!({ "name": s.name(), "valueFrom": s.value_from() }))
            .collect();
    }
    if !c.command().is_empty() {
        out["command"] = json!(c.command());
    }
    if let Some(logs) = c.log_configuration() {
        out["logConfiguration"] = json!({
            "logDriver": logs.log_driver().as_str(),
            "options": logs.options(),
        });
    }
    out
}

pub fn register_task_definition_call<'a>(
    clients: &'a AwsClients,
    spec: &TaskDefinitionSpec,
    tags: &[(String, String)],
) -> Result<Call<'a>> {
    let container = container_json(&container_definition(spec)?);
    Ok(clients
        .call(&ecs::REGISTER_TASK_DEFINITION, &spec.family)
        .opt("--family", &spec.family)
        .arg("--requires-compatibilities")
        .arg("FARGATE")
        .opt("--network-mode", "awsvpc")
        .opt("--cpu", spec.cpu.to_string())
        .opt("--memory", spec.memory.to_string())
        .opt("--execution-role-arn", &spec.execution_role_arn)
        .opt(
            "--runtime-platform",
            format!(
                "cpuArchitecture={},operatingSystemFamily=LINUX",
                spec.architecture.as_ecs()
            ),
        )
        .opt("--container-definitions", json!([container]).to_string())
        .tags(tags))
}

/// Registers a new revision of `spec`; answers its ARN.
pub async fn register_task_definition(
    clients: &AwsClients,
    spec: &TaskDefinitionSpec,
    tags: &[(String, String)],
) -> Result<String> {
    let request = clients
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
        .container_definitions(container_definition(spec)?)
        .set_tags(Some(ecs_tags(tags)))
        .send();
    register_task_definition_call(clients, spec, tags)?
        .send(request, |out| {
            Ok(out
                .task_definition()
                .and_then(|t| t.task_definition_arn())
                .unwrap_or_default()
                .to_owned())
        })
        .await
}

/// ARNs of the revisions of `family` in `status`, newest first.
pub async fn list_task_definitions(
    clients: &AwsClients,
    family: &str,
    status: TaskDefinitionStatus,
) -> Result<Vec<String>> {
    let request = clients
        .ecs()
        .list_task_definitions()
        .family_prefix(family)
        .status(status.clone())
        .sort(SortOrder::Desc)
        .into_paginator()
        .items()
        .send()
        .try_collect();
    let mut arns: Vec<String> = clients
        .call(&ecs::LIST_TASK_DEFINITIONS, family)
        .opt("--family-prefix", family)
        .opt("--status", status.as_str())
        .opt("--sort", "DESC")
        .send(request, Ok)
        .await?
        .into_iter()
        // familyPrefix matches the family exactly on AWS; keep only that family anyway.
        .filter(|arn| family_of(arn) == Some(family))
        .collect();
    // Newest first, whatever order the service answered in.
    arns.sort_by_key(|arn| std::cmp::Reverse(revision_of(arn)));
    Ok(arns)
}

/// The newest ACTIVE revisions of `family`, at most `limit`, newest first, and whether there are
/// more. ListTaskDefinitions sorted DESC lists "the newest task definitions in a family … first"
/// (ECS API reference), so the paginator stops after the page that holds one more than `limit`.
pub async fn newest_task_definitions(
    clients: &AwsClients,
    family: &str,
    limit: usize,
) -> Result<(Vec<String>, bool)> {
    let wanted = limit + 1;
    let page = i32::try_from(wanted.min(super::LIST_PAGE_SIZE as usize)).unwrap_or(1);
    let request = async {
        let mut items = clients
            .ecs()
            .list_task_definitions()
            .family_prefix(family)
            .status(TaskDefinitionStatus::Active)
            .sort(SortOrder::Desc)
            .into_paginator()
            .page_size(page)
            .items()
            .send();
        let mut arns = Vec::with_capacity(wanted);
        while arns.len() < wanted {
            match items.next().await {
                Some(arn) => arns.push(arn?),
                None => break,
            }
        }
        Ok::<_, aws_sdk_ecs::error::SdkError<ListTaskDefinitionsError>>(arns)
    };
    let mut arns: Vec<String> = clients
        .call(&ecs::LIST_TASK_DEFINITIONS, family)
        .opt("--family-prefix", family)
        .opt("--status", "ACTIVE")
        .opt("--sort", "DESC")
        .opt("--max-items", wanted.to_string())
        .send(request, Ok)
        .await?
        .into_iter()
        .filter(|arn| family_of(arn) == Some(family))
        .collect();
    arns.sort_by_key(|arn| std::cmp::Reverse(revision_of(arn)));
    let more = arns.len() > limit;
    arns.truncate(limit);
    Ok((arns, more))
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

/// A task definition by ARN, `family:revision` or family (its newest revision), with its tags.
pub async fn describe_task_definition(
    clients: &AwsClients,
    arn_or_family: &str,
) -> Result<TaskDefinition> {
    let request = clients
        .ecs()
        .describe_task_definition()
        .task_definition(arn_or_family)
        .include(TaskDefinitionField::Tags)
        .send();
    clients
        .call(&ecs::DESCRIBE_TASK_DEFINITION, arn_or_family)
        .opt("--task-definition", arn_or_family)
        .opt("--include", "TAGS")
        .send(request, |out| {
            let tags = plain_tags(out.tags());
            let registered = out.task_definition.ok_or_else(|| {
                BerthError::internal("DescribeTaskDefinition answered without one")
            })?;
            Ok(TaskDefinition {
                arn: registered
                    .task_definition_arn()
                    .unwrap_or_default()
                    .to_owned(),
                family: registered.family().unwrap_or_default().to_owned(),
                revision: registered.revision(),
                spec: spec_of(&registered),
                tags,
                registered,
            })
        })
        .await
        .map_err(|e| about(e, "task definition", arn_or_family))
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
    let mut secrets: Vec<(String, String)> = c
        .secrets()
        .iter()
        .map(|s| (s.name().to_owned(), s.value_from().to_owned()))
        .collect();
    secrets.sort();
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
            secrets,
            command: c.command().to_vec(),
            log_group: option("awslogs-group")?,
            log_region: option("awslogs-region")?,
            log_stream_prefix: option("awslogs-stream-prefix")?,
        },
    })
}

/// A new revision of `def` whose main (first essential) container runs `image`, with `def`'s
/// tags: how the Deployments view deploys another tag of any task definition, Berth's or not.
pub fn register_copy_call<'a>(
    clients: &'a AwsClients,
    def: &TaskDefinition,
    image: &str,
) -> Call<'a> {
    clients
        .call(&ecs::REGISTER_TASK_DEFINITION, &def.family)
        .opt("--family", &def.family)
        .opt(
            "--cli-input-json",
            format!("<{}:{} with image {image}>", def.family, def.revision),
        )
}

/// Registers the copy [`register_copy_call`] describes; answers the new revision's ARN and
/// number.
pub async fn register_copy(
    clients: &AwsClients,
    def: &TaskDefinition,
    image: &str,
) -> Result<(String, i32)> {
    let d = &def.registered;
    let mut containers = d.container_definitions.clone().unwrap_or_default();
    let main = containers
        .iter()
        .position(|c| c.essential.unwrap_or(true))
        .or(if containers.is_empty() { None } else { Some(0) })
        .ok_or_else(|| BerthError::internal("the task definition has no container"))?;
    containers[main].image = Some(image.to_owned());
    let request = clients
        .ecs()
        .register_task_definition()
        .set_family(d.family.clone())
        .set_task_role_arn(d.task_role_arn.clone())
        .set_execution_role_arn(d.execution_role_arn.clone())
        .set_network_mode(d.network_mode.clone())
        .set_container_definitions(Some(containers))
        .set_volumes(d.volumes.clone())
        .set_placement_constraints(d.placement_constraints.clone())
        .set_requires_compatibilities(d.requires_compatibilities.clone())
        .set_cpu(d.cpu.clone())
        .set_memory(d.memory.clone())
        .set_pid_mode(d.pid_mode.clone())
        .set_ipc_mode(d.ipc_mode.clone())
        .set_proxy_configuration(d.proxy_configuration.clone())
        .set_ephemeral_storage(d.ephemeral_storage.clone())
        .set_runtime_platform(d.runtime_platform.clone())
        .set_tags((!def.tags.is_empty()).then(|| ecs_tags(&def.tags)))
        .send();
    register_copy_call(clients, def, image)
        .send(request, |out| {
            let registered = out.task_definition.ok_or_else(|| {
                BerthError::internal("RegisterTaskDefinition answered without one")
            })?;
            Ok((
                registered
                    .task_definition_arn()
                    .unwrap_or_default()
                    .to_owned(),
                registered.revision(),
            ))
        })
        .await
}

pub fn deregister_task_definition_call<'a>(clients: &'a AwsClients, arn: &str) -> Call<'a> {
    clients
        .call(&ecs::DEREGISTER_TASK_DEFINITION, super::name_from_arn(arn))
        .opt("--task-definition", super::name_from_arn(arn))
}

pub async fn deregister_task_definition(clients: &AwsClients, arn: &str) -> Result<()> {
    let request = clients
        .ecs()
        .deregister_task_definition()
        .task_definition(arn)
        .send();
    deregister_task_definition_call(clients, arn)
        .send(request, |_| Ok(()))
        .await
}

pub fn delete_task_definition_call<'a>(clients: &'a AwsClients, arn: &str) -> Call<'a> {
    clients
        .call(&ecs::DELETE_TASK_DEFINITIONS, super::name_from_arn(arn))
        .list("--task-definitions", [super::name_from_arn(arn)])
}

/// Deletes a deregistered (INACTIVE) revision. Deregistering alone leaves it listed for ever;
/// deleted, it goes once no task or deployment uses it (DELETE_IN_PROGRESS until then).
pub async fn delete_task_definition(clients: &AwsClients, arn: &str) -> Result<()> {
    let request = clients
        .ecs()
        .delete_task_definitions()
        .task_definitions(arn)
        .send();
    delete_task_definition_call(clients, arn)
        .send(request, |out| match out.failures().first() {
            // The call succeeds with the refusal in `failures` (e.g. still ACTIVE).
            Some(failure) => Err(BerthError::new(ErrorKind::AwsRejected)
                .with("action", "ecs:DeleteTaskDefinitions")
                .with("code", failure.reason().unwrap_or("Failure"))
                .details(failure.detail().or(failure.reason()).unwrap_or_default())),
            None => Ok(()),
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> TaskDefinitionSpec {
        TaskDefinitionSpec {
            family: "web".into(),
            cpu: 256,
            memory: 512,
            architecture: Architecture::Arm64,
            execution_role_arn: "arn:aws:iam::123456789012:role/ecsTaskExecutionRole".into(),
            container: ContainerSpec {
                name: "web".into(),
                image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/web@sha256:ab".into(),
                port: 3000,
                environment: vec![("A".into(), "1".into()), ("B".into(), "two words".into())],
                secrets: vec![(
                    "DB_PASSWORD".into(),
                    "arn:aws:ssm:us-east-1:123456789012:parameter/berth/web/DB_PASSWORD".into(),
                )],
                command: vec!["sh".into(), "-c".into(), "echo hi".into()],
                log_group: "/berth/web".into(),
                log_region: "us-east-1".into(),
                log_stream_prefix: "ecs".into(),
            },
        }
    }

    /// Reads the CLI's JSON back into an SDK container definition, field by field.
    fn container_from_json(v: &Value) -> ContainerDefinition {
        let logs = &v["logConfiguration"];
        let mut log = LogConfiguration::builder()
            .log_driver(LogDriver::from(logs["logDriver"].as_str().unwrap()));
        for (k, val) in logs["options"].as_object().unwrap() {
            log = log.options(k, val.as_str().unwrap());
        }
        let mut c = ContainerDefinition::builder()
            .name(v["name"].as_str().unwrap())
            .image(v["image"].as_str().unwrap())
            .essential(v["essential"].as_bool().unwrap())
            .memory(v["memory"].as_i64().unwrap() as i32)
            .log_configuration(log.build().unwrap());
        for p in v["portMappings"].as_array().unwrap() {
            c = c.port_mappings(
                PortMapping::builder()
                    .container_port(p["containerPort"].as_i64().unwrap() as i32)
                    .protocol(TransportProtocol::from(p["protocol"].as_str().unwrap()))
                    .build(),
            );
        }
        c = c.set_environment(Some(
            v["environment"]
                .as_array()
                .unwrap()
                .iter()
                .map(|kv| {
                    KeyValuePair::builder()
                        .name(kv["name"].as_str().unwrap())
                        .value(kv["value"].as_str().unwrap())
                        .build()
                })
                .collect(),
        ));
        if let Some(secrets) = v["secrets"].as_array() {
            c = c.set_secrets(Some(
                secrets
                    .iter()
                    .map(|s| {
                        Secret::builder()
                            .name(s["name"].as_str().unwrap())
                            .value_from(s["valueFrom"].as_str().unwrap())
                            .build()
                            .unwrap()
                    })
                    .collect(),
            ));
        }
        if let Some(cmd) = v["command"].as_array() {
            c = c.set_command(Some(
                cmd.iter().map(|w| w.as_str().unwrap().to_owned()).collect(),
            ));
        }
        c.build()
    }

    /// The command shown is the definition sent: every field the request sets survives a trip
    /// through the CLI's JSON.
    #[test]
    fn the_cli_json_holds_exactly_the_container_definition_sent() {
        let sent = container_definition(&spec()).unwrap();
        let json = container_json(&sent);
        assert_eq!(container_from_json(&json), sent);
        assert_eq!(json["portMappings"][0]["containerPort"], 3000);
        assert_eq!(json["command"][2], "echo hi");
    }

    #[test]
    fn a_registered_definition_reads_back_into_the_same_spec() {
        let spec = spec();
        let registered = aws_sdk_ecs::types::TaskDefinition::builder()
            .family(&spec.family)
            .cpu(spec.cpu.to_string())
            .memory(spec.memory.to_string())
            .execution_role_arn(&spec.execution_role_arn)
            .runtime_platform(
                RuntimePlatform::builder()
                    .cpu_architecture(spec.architecture.as_ecs().into())
                    .build(),
            )
            .container_definitions(container_definition(&spec).unwrap())
            .build();
        assert_eq!(spec_of(&registered), Some(spec));
    }
}
