//! ECS services: what a launch creates or updates, what the Deployments view lists, and the
//! changes it makes to a running service (scale, restart, deploy a tag, delete).

use super::{about, ecs_tags, plain_tags, DESCRIBE_SERVICES_BATCH, LIST_PAGE_SIZE};
use crate::aws::action::Action;
use crate::aws::call::Call;
use crate::aws::catalogue::ecs;
use crate::aws::AwsClients;
use crate::error::{BerthError, Result};
use aws_sdk_ecs::types::{
    AssignPublicIp, AwsVpcConfiguration, DeploymentCircuitBreaker, DeploymentConfiguration,
    LaunchType, NetworkConfiguration, PropagateTags, ServiceField,
};

/// Where a task's network interface goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskNetwork {
    pub subnets: Vec<String>,
    pub security_groups: Vec<String>,
    pub public_ip: bool,
}

impl TaskNetwork {
    pub(super) fn to_sdk(&self) -> Result<NetworkConfiguration> {
        let vpc = AwsVpcConfiguration::builder()
            .set_subnets(Some(self.subnets.clone()))
            .set_security_groups(Some(self.security_groups.clone()))
            .assign_public_ip(if self.public_ip {
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

    fn from_sdk(config: Option<&NetworkConfiguration>) -> Option<TaskNetwork> {
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

    /// `--network-configuration` as the CLI's shorthand takes it.
    pub(super) fn cli_arg(&self) -> String {
        format!(
            "awsvpcConfiguration={{subnets=[{}],securityGroups=[{}],assignPublicIp={}}}",
            self.subnets.join(","),
            self.security_groups.join(","),
            if self.public_ip {
                "ENABLED"
            } else {
                "DISABLED"
            }
        )
    }
}

/// One deployment of a service: ECS rolls a service out to a task definition one deployment at
/// a time, and the tasks a deployment starts carry its id as their `startedBy`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deployment {
    /// `ecs-svc/…`.
    pub id: String,
    /// `PRIMARY` (the newest), `ACTIVE` (an older one still running tasks) or `INACTIVE`.
    pub status: String,
    pub task_definition: String,
    /// `IN_PROGRESS`, `COMPLETED` or `FAILED` (the circuit breaker stopped it).
    pub rollout_state: Option<String>,
    pub rollout_reason: Option<String>,
    pub desired: i32,
    pub running: i32,
    pub pending: i32,
    pub failed_tasks: i32,
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
    /// Newest first (the PRIMARY one leads).
    pub deployments: Vec<Deployment>,
    /// Whether a failed deployment stops launching tasks (and rolls back).
    pub circuit_breaker: bool,
    /// An Express service (`resourceManagementType` ECS): ECS manages it, its load balancer and
    /// its task definitions; it is changed and deleted through the Express operations.
    pub express: bool,
}

impl Service {
    fn from_sdk(s: &aws_sdk_ecs::types::Service, name: &str) -> Service {
        Service {
            name: s.service_name().unwrap_or(name).to_owned(),
            arn: s.service_arn().unwrap_or_default().to_owned(),
            status: s.status().unwrap_or_default().to_owned(),
            task_definition: s.task_definition().unwrap_or_default().to_owned(),
            desired: s.desired_count(),
            running: s.running_count(),
            pending: s.pending_count(),
            network: TaskNetwork::from_sdk(s.network_configuration()),
            tags: plain_tags(s.tags()),
            events: s
                .events()
                .iter()
                .take(5)
                .filter_map(|e| e.message().map(str::to_owned))
                .collect(),
            deployments: s
                .deployments()
                .iter()
                .map(|d| Deployment {
                    id: d.id().unwrap_or_default().to_owned(),
                    status: d.status().unwrap_or_default().to_owned(),
                    task_definition: d.task_definition().unwrap_or_default().to_owned(),
                    rollout_state: d.rollout_state().map(|r| r.as_str().to_owned()),
                    rollout_reason: d.rollout_state_reason().map(str::to_owned),
                    desired: d.desired_count(),
                    running: d.running_count(),
                    pending: d.pending_count(),
                    failed_tasks: d.failed_tasks(),
                })
                .collect(),
            circuit_breaker: s
                .deployment_configuration()
                .and_then(|c| c.deployment_circuit_breaker())
                .is_some_and(|b| b.enable()),
            express: s.resource_management_type()
                == Some(&aws_sdk_ecs::types::ResourceManagementType::Ecs),
        }
    }

    /// The newest deployment of `task_definition`, if the service has one.
    pub fn deployment_of(&self, task_definition: &str) -> Option<&Deployment> {
        self.deployments
            .iter()
            .find(|d| d.task_definition == task_definition)
    }
}

/// Every Berth service stops launching tasks when a deployment fails and rolls back to the last one
/// that worked: a crashing app would otherwise be started again and again (each start billed for
/// at least a minute, and its public IPv4 address) long after Berth stopped watching. "A
/// deployment in FAILED state doesn't launch any new tasks" (ECS API reference, Deployment).
fn circuit_breaker() -> DeploymentConfiguration {
    DeploymentConfiguration::builder()
        .deployment_circuit_breaker(
            DeploymentCircuitBreaker::builder()
                .enable(true)
                .rollback(true)
                .build(),
        )
        .build()
}

/// `--deployment-configuration` of [`circuit_breaker`].
const CIRCUIT_BREAKER_ARG: &str = "deploymentCircuitBreaker={enable=true,rollback=true}";

/// The services named by `names_or_arns` in `cluster`, with their tags, 10 per call, as ECS
/// answers them (INACTIVE ones included: a deleted service stays visible for a while).
pub async fn describe_services(
    clients: &AwsClients,
    cluster: &str,
    names_or_arns: &[String],
) -> Result<Vec<aws_sdk_ecs::types::Service>> {
    let mut services = Vec::with_capacity(names_or_arns.len());
    for batch in names_or_arns.chunks(DESCRIBE_SERVICES_BATCH) {
        let request = clients
            .ecs()
            .describe_services()
            .cluster(cluster)
            .set_services(Some(batch.to_vec()))
            .include(ServiceField::Tags)
            .send();
        let found = clients
            .call(&ecs::DESCRIBE_SERVICES, cluster)
            .opt("--cluster", cluster)
            .list("--services", batch.iter().map(|s| super::name_from_arn(s)))
            .opt("--include", "TAGS")
            .send(request, |out| Ok(out.services.unwrap_or_default()))
            .await?;
        services.extend(found);
    }
    Ok(services)
}

/// The service `name` in `cluster`, unless there is none or it was deleted (INACTIVE).
pub async fn describe_service(
    clients: &AwsClients,
    cluster: &str,
    name: &str,
) -> Result<Option<Service>> {
    match describe_services(clients, cluster, &[name.to_owned()]).await {
        Ok(services) => Ok(services
            .iter()
            .find(|s| s.status() != Some("INACTIVE"))
            .map(|s| Service::from_sdk(s, name))),
        // No cluster: no service either.
        Err(e) if e.param("code") == Some("ClusterNotFoundException") => Ok(None),
        Err(e) => Err(e),
    }
}

/// The service `name` in `cluster`, or NotFound (for an action on a service the user picked).
pub async fn existing_service(clients: &AwsClients, cluster: &str, name: &str) -> Result<Service> {
    describe_service(clients, cluster, name)
        .await?
        .ok_or_else(|| {
            BerthError::new(crate::error::ErrorKind::NotFound)
                .with("resource", "service")
                .with("name", name)
        })
}

/// The ARNs of the services in `cluster`.
pub async fn list_services(clients: &AwsClients, cluster: &str) -> Result<Vec<String>> {
    let request = clients
        .ecs()
        .list_services()
        .cluster(cluster)
        .into_paginator()
        .page_size(LIST_PAGE_SIZE)
        .items()
        .send()
        .try_collect();
    clients
        .call(&ecs::LIST_SERVICES, cluster)
        .opt("--cluster", cluster)
        .send(request, Ok)
        .await
}

/// What a new or updated service runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceSpec {
    pub cluster: String,
    pub name: String,
    pub task_definition: String,
    pub desired: i32,
    pub network: TaskNetwork,
    /// Application Auto Scaling owns the desired count: an update leaves it out, so it never
    /// undoes a scaling activity (a create still starts with `desired`).
    pub keep_count: bool,
}

pub fn create_service_call<'a>(
    clients: &'a AwsClients,
    spec: &ServiceSpec,
    tags: &[(String, String)],
) -> Call<'a> {
    clients
        .call(&ecs::CREATE_SERVICE, &spec.name)
        .opt("--cluster", &spec.cluster)
        .opt("--service-name", &spec.name)
        .opt("--task-definition", &spec.task_definition)
        .opt("--desired-count", spec.desired.to_string())
        .opt("--launch-type", "FARGATE")
        .opt("--network-configuration", spec.network.cli_arg())
        .opt("--deployment-configuration", CIRCUIT_BREAKER_ARG)
        .opt("--propagate-tags", "SERVICE")
        .tags(tags)
}

/// Creates a service; answers its ARN.
pub async fn create_service(
    clients: &AwsClients,
    spec: &ServiceSpec,
    tags: &[(String, String)],
) -> Result<String> {
    let request = clients
        .ecs()
        .create_service()
        .cluster(&spec.cluster)
        .service_name(&spec.name)
        .task_definition(&spec.task_definition)
        .desired_count(spec.desired)
        .launch_type(LaunchType::Fargate)
        .network_configuration(spec.network.to_sdk()?)
        .deployment_configuration(circuit_breaker())
        .propagate_tags(PropagateTags::Service)
        .set_tags(Some(ecs_tags(tags)))
        .send();
    create_service_call(clients, spec, tags)
        .send(request, |out| {
            Ok(out
                .service()
                .and_then(|s| s.service_arn())
                .unwrap_or_default()
                .to_owned())
        })
        .await
}

pub fn update_service_call<'a>(clients: &'a AwsClients, spec: &ServiceSpec) -> Call<'a> {
    clients
        .call(&ecs::UPDATE_SERVICE, &spec.name)
        .opt("--cluster", &spec.cluster)
        .opt("--service", &spec.name)
        .opt("--task-definition", &spec.task_definition)
        .opt_some(
            "--desired-count",
            (!spec.keep_count).then(|| spec.desired.to_string()),
        )
        .opt("--network-configuration", spec.network.cli_arg())
        .opt("--deployment-configuration", CIRCUIT_BREAKER_ARG)
}

/// Rolls a service out to `spec` (its task definition, count and network).
pub async fn update_service(clients: &AwsClients, spec: &ServiceSpec) -> Result<()> {
    let request = clients
        .ecs()
        .update_service()
        .cluster(&spec.cluster)
        .service(&spec.name)
        .task_definition(&spec.task_definition)
        .set_desired_count((!spec.keep_count).then_some(spec.desired))
        .network_configuration(spec.network.to_sdk()?)
        .deployment_configuration(circuit_breaker())
        .send();
    update_service_call(clients, spec)
        .send(request, |_| Ok(()))
        .await
        .map_err(|e| about(e, "service", &spec.name))
}

fn service_call<'a>(
    clients: &'a AwsClients,
    action: &'static Action,
    cluster: &str,
    service: &str,
) -> Call<'a> {
    clients
        .call(action, service)
        .opt("--cluster", cluster)
        .opt("--service", service)
}

pub fn scale_service_call<'a>(
    clients: &'a AwsClients,
    cluster: &str,
    service: &str,
    desired: i32,
) -> Call<'a> {
    service_call(clients, &ecs::SCALE_SERVICE, cluster, service)
        .opt("--desired-count", desired.to_string())
}

/// Sets how many tasks a service keeps running.
pub async fn scale_service(
    clients: &AwsClients,
    cluster: &str,
    service: &str,
    desired: i32,
) -> Result<()> {
    let request = clients
        .ecs()
        .update_service()
        .cluster(cluster)
        .service(service)
        .desired_count(desired)
        .send();
    scale_service_call(clients, cluster, service, desired)
        .send(request, |_| Ok(()))
        .await
        .map_err(|e| about(e, "service", service))
}

/// The command of [`force_new_deployment`].
pub fn force_new_deployment_call<'a>(
    clients: &'a AwsClients,
    cluster: &str,
    service: &str,
) -> Call<'a> {
    service_call(clients, &ecs::FORCE_NEW_DEPLOYMENT, cluster, service)
        .arg("--force-new-deployment")
}

/// Replaces every task of a service with a new one of the same definition.
pub async fn force_new_deployment(
    clients: &AwsClients,
    cluster: &str,
    service: &str,
) -> Result<()> {
    let request = clients
        .ecs()
        .update_service()
        .cluster(cluster)
        .service(service)
        .force_new_deployment(true)
        .send();
    force_new_deployment_call(clients, cluster, service)
        .send(request, |_| Ok(()))
        .await
        .map_err(|e| about(e, "service", service))
}

/// The command of [`switch_revision`]: `action` says why the service moves (a tag deployed, a
/// roll back), `label` is the revision's `family:revision`.
pub fn switch_revision_call<'a>(
    clients: &'a AwsClients,
    action: &'static Action,
    cluster: &str,
    service: &str,
    label: &str,
) -> Call<'a> {
    service_call(clients, action, cluster, service).opt("--task-definition", label)
}

/// Rolls a service out to another revision of its task definition, newer (a tag deployed) or
/// older (a roll back): ECS starts a new deployment of it either way, and the circuit breaker
/// watches it.
pub async fn switch_revision(
    clients: &AwsClients,
    action: &'static Action,
    cluster: &str,
    service: &str,
    task_definition: &str,
    label: &str,
) -> Result<()> {
    let request = clients
        .ecs()
        .update_service()
        .cluster(cluster)
        .service(service)
        .task_definition(task_definition)
        .send();
    switch_revision_call(clients, action, cluster, service, label)
        .send(request, |_| Ok(()))
        .await
        .map_err(|e| about(e, "service", service))
}

pub fn delete_service_call<'a>(
    clients: &'a AwsClients,
    cluster: &str,
    service: &str,
    force: bool,
) -> Call<'a> {
    let call = service_call(clients, &ecs::DELETE_SERVICE, cluster, service);
    if force {
        call.arg("--force")
    } else {
        call
    }
}

/// Deletes a service; with `force`, without scaling it to zero first (its tasks are stopped).
pub async fn delete_service(
    clients: &AwsClients,
    cluster: &str,
    service: &str,
    force: bool,
) -> Result<()> {
    let request = clients
        .ecs()
        .delete_service()
        .cluster(cluster)
        .service(service)
        .force(force)
        .send();
    delete_service_call(clients, cluster, service, force)
        .send(request, |_| Ok(()))
        .await
        .map_err(|e| about(e, "service", service))
}
