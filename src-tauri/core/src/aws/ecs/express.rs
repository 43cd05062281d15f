//! ECS Express Mode: one service with an HTTPS address of its own. ECS makes the task definition,
//! the service, a load balancer shared by up to 25 services with a `*.ecs.<region>.on.aws` name
//! and its certificate, and security groups, with the infrastructure role
//! (docs/aws-facts.md#express-mode). Berth sends the image (pinned by digest), the size, the
//! port, the environment and its log group; the service behind it is an ordinary ECS service
//! (`resourceManagementType` ECS), which the timeline follows as any other.

use super::{ecs_tags, plain_tags};
use crate::aws::call::Call;
use crate::aws::catalogue::express as actions;
use crate::aws::AwsClients;
use crate::error::{BerthError, Result};
use crate::fargate::Architecture;
use aws_sdk_ecs::types::{
    EcsExpressGatewayService, ExpressCpuArchitecture, ExpressGatewayContainer,
    ExpressGatewayScalingTarget, ExpressGatewayServiceAwsLogsConfiguration,
    ExpressGatewayServiceConfiguration, ExpressGatewayServiceScalingMetric, KeyValuePair, Secret,
};
use serde_json::{json, Value};

/// The path the load balancer checks. Express's own default is `/ping`, which most apps do not
/// serve: their tasks would be judged unhealthy and replaced again and again. `/` is what a web
/// app answers.
pub const HEALTH_CHECK_PATH: &str = "/";

/// What an Express service runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpressSpec {
    pub cluster: String,
    pub name: String,
    pub image: String,
    pub port: u16,
    /// CPU units and MiB.
    pub cpu: u32,
    pub memory: u32,
    pub architecture: Architecture,
    pub execution_role_arn: String,
    pub infrastructure_role_arn: String,
    pub environment: Vec<(String, String)>,
    /// `(name, valueFrom)`: SSM parameters ECS reads with the execution role.
    pub secrets: Vec<(String, String)>,
    pub command: Vec<String>,
    pub log_group: String,
    pub log_stream_prefix: String,
    /// `(min, max, cpu target %)`; a fixed count is `(n, n, …)`.
    pub scaling: (u32, u32, u32),
}

/// An Express service as Berth needs to see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpressService {
    pub arn: String,
    pub name: String,
    /// `ACTIVE`, `DRAINING` or `INACTIVE`.
    pub status: String,
    /// `https://…ecs.<region>.on.aws`, once ECS has given it.
    pub url: Option<String>,
    /// The revision the newest configuration runs (ECS made it).
    pub task_definition: Option<String>,
    pub image: Option<String>,
    pub cpu: Option<String>,
    pub memory: Option<String>,
    pub port: Option<i32>,
    /// The plain environment, and the secrets as `(name, valueFrom)`, as ECS has them.
    pub environment: Vec<(String, String)>,
    pub secrets: Vec<(String, String)>,
    pub command: Vec<String>,
    pub tags: Vec<(String, String)>,
}

impl ExpressService {
    fn from_sdk(s: &EcsExpressGatewayService) -> ExpressService {
        let newest = s.active_configurations().first();
        let container = newest.and_then(|c| c.primary_container());
        ExpressService {
            arn: s.service_arn().unwrap_or_default().to_owned(),
            name: s.service_name().unwrap_or_default().to_owned(),
            status: s
                .status()
                .and_then(|st| st.status_code())
                .map(|c| c.as_str().to_owned())
                .unwrap_or_default(),
            url: newest.and_then(url_of),
            task_definition: newest
                .and_then(|c| c.task_definition_arn())
                .map(str::to_owned),
            image: container.map(|c| c.image().to_owned()),
            cpu: newest.and_then(|c| c.cpu()).map(str::to_owned),
            memory: newest.and_then(|c| c.memory()).map(str::to_owned),
            port: container.and_then(|c| c.container_port()),
            environment: container
                .map(|c| {
                    c.environment()
                        .iter()
                        .map(|e| {
                            (
                                e.name().unwrap_or_default().to_owned(),
                                e.value().unwrap_or_default().to_owned(),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default(),
            secrets: container
                .map(|c| {
                    c.secrets()
                        .iter()
                        .map(|e| (e.name().to_owned(), e.value_from().to_owned()))
                        .collect()
                })
                .unwrap_or_default(),
            command: container.map(|c| c.command().to_vec()).unwrap_or_default(),
            tags: plain_tags(s.tags()),
        }
    }
}

fn url_of(config: &ExpressGatewayServiceConfiguration) -> Option<String> {
    config
        .ingress_paths()
        .iter()
        .map(|p| p.endpoint())
        .find(|e| !e.is_empty())
        .map(|e| {
            if e.starts_with("https://") {
                e.to_owned()
            } else {
                format!("https://{e}")
            }
        })
}

impl ExpressSpec {
    fn container(&self) -> Result<ExpressGatewayContainer> {
        let logs = ExpressGatewayServiceAwsLogsConfiguration::builder()
            .log_group(&self.log_group)
            .log_stream_prefix(&self.log_stream_prefix)
            .build()
            .map_err(BerthError::internal)?;
        let secrets = self
            .secrets
            .iter()
            .map(|(name, from)| Secret::builder().name(name).value_from(from).build())
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(BerthError::internal)?;
        ExpressGatewayContainer::builder()
            .image(&self.image)
            .container_port(i32::from(self.port))
            .aws_logs_configuration(logs)
            .set_environment(Some(
                self.environment
                    .iter()
                    .map(|(k, v)| KeyValuePair::builder().name(k).value(v).build())
                    .collect(),
            ))
            .set_secrets((!self.secrets.is_empty()).then_some(secrets))
            .set_command((!self.command.is_empty()).then(|| self.command.clone()))
            .build()
            .map_err(BerthError::internal)
    }

    /// `--primary-container` as JSON, which the CLI takes for a structure.
    fn container_arg(&self) -> String {
        let mut c = json!({
            "image": self.image,
            "containerPort": self.port,
            "awsLogsConfiguration": {
                "logGroup": self.log_group,
                "logStreamPrefix": self.log_stream_prefix,
            },
        });
        if !self.environment.is_empty() {
            c["environment"] = Value::Array(
                self.environment
                    .iter()
                    .map(|(k, v)| json!({ "name": k, "value": v }))
                    .collect(),
            );
        }
        if !self.secrets.is_empty() {
            c["secrets"] = Value::Array(
                self.secrets
                    .iter()
                    .map(|(k, v)| json!({ "name": k, "valueFrom": v }))
                    .collect(),
            );
        }
        if !self.command.is_empty() {
            c["command"] = json!(self.command);
        }
        c.to_string()
    }

    fn scaling_target(&self) -> ExpressGatewayScalingTarget {
        let (min, max, cpu) = self.scaling;
        ExpressGatewayScalingTarget::builder()
            .min_task_count(min as i32)
            .max_task_count(max as i32)
            .auto_scaling_metric(ExpressGatewayServiceScalingMetric::AverageCpuUtilization)
            .auto_scaling_target_value(cpu as i32)
            .build()
    }

    fn scaling_arg(&self) -> String {
        let (min, max, cpu) = self.scaling;
        format!(
            "minTaskCount={min},maxTaskCount={max},autoScalingMetric=AVERAGE_CPU,autoScalingTargetValue={cpu}"
        )
    }

    fn architecture(&self) -> ExpressCpuArchitecture {
        match self.architecture {
            Architecture::X86_64 => ExpressCpuArchitecture::X8664,
            Architecture::Arm64 => ExpressCpuArchitecture::Arm64,
        }
    }
}

pub fn create_express_service_call<'a>(
    clients: &'a AwsClients,
    spec: &ExpressSpec,
    tags: &[(String, String)],
) -> Call<'a> {
    clients
        .call(&actions::CREATE_EXPRESS_GATEWAY_SERVICE, &spec.name)
        .opt("--cluster", &spec.cluster)
        .opt("--service-name", &spec.name)
        .opt("--execution-role-arn", &spec.execution_role_arn)
        .opt("--infrastructure-role-arn", &spec.infrastructure_role_arn)
        .opt("--primary-container", spec.container_arg())
        .opt("--cpu", spec.cpu.to_string())
        .opt("--memory", spec.memory.to_string())
        .opt("--cpu-architecture", spec.architecture.as_ecs())
        .opt("--health-check-path", HEALTH_CHECK_PATH)
        .opt("--scaling-target", spec.scaling_arg())
        .tags(tags)
}

/// Creates the Express service; answers it as ECS describes it right after.
pub async fn create_express_service(
    clients: &AwsClients,
    spec: &ExpressSpec,
    tags: &[(String, String)],
) -> Result<ExpressService> {
    let request = clients
        .ecs()
        .create_express_gateway_service()
        .cluster(&spec.cluster)
        .service_name(&spec.name)
        .execution_role_arn(&spec.execution_role_arn)
        .infrastructure_role_arn(&spec.infrastructure_role_arn)
        .primary_container(spec.container()?)
        .cpu(spec.cpu.to_string())
        .memory(spec.memory.to_string())
        .cpu_architecture(spec.architecture())
        .health_check_path(HEALTH_CHECK_PATH)
        .scaling_target(spec.scaling_target())
        .set_tags(Some(ecs_tags(tags)))
        .send();
    create_express_service_call(clients, spec, tags)
        .send(request, |out| {
            out.service()
                .map(ExpressService::from_sdk)
                .ok_or_else(|| BerthError::internal("CreateExpressGatewayService gave no service"))
        })
        .await
}

pub fn describe_express_service_call<'a>(clients: &'a AwsClients, arn: &str) -> Call<'a> {
    clients
        .call(&actions::DESCRIBE_EXPRESS_GATEWAY_SERVICE, arn)
        .opt("--service-arn", arn)
        .opt("--include", "TAGS")
}

/// The Express service of that ARN, or `None` when there is none (any more).
pub async fn describe_express_service(
    clients: &AwsClients,
    arn: &str,
) -> Result<Option<ExpressService>> {
    let request = clients
        .ecs()
        .describe_express_gateway_service()
        .service_arn(arn)
        .include(aws_sdk_ecs::types::ExpressGatewayServiceInclude::Tags)
        .send();
    describe_express_service_call(clients, arn)
        .send_found(request, |out| {
            out.service().map(ExpressService::from_sdk).ok_or_else(|| {
                BerthError::internal("DescribeExpressGatewayService gave no service")
            })
        })
        .await
}

pub fn update_express_service_call<'a>(
    clients: &'a AwsClients,
    arn: &str,
    spec: &ExpressSpec,
) -> Call<'a> {
    clients
        .call(&actions::UPDATE_EXPRESS_GATEWAY_SERVICE, &spec.name)
        .opt("--service-arn", arn)
        .opt("--execution-role-arn", &spec.execution_role_arn)
        .opt("--primary-container", spec.container_arg())
        .opt("--cpu", spec.cpu.to_string())
        .opt("--memory", spec.memory.to_string())
        .opt("--cpu-architecture", spec.architecture.as_ecs())
        .opt("--health-check-path", HEALTH_CHECK_PATH)
        .opt("--scaling-target", spec.scaling_arg())
}

/// The command of [`redeploy_express_service`].
pub fn redeploy_express_service_call<'a>(
    clients: &'a AwsClients,
    arn: &str,
    name: &str,
) -> Call<'a> {
    clients
        .call(&actions::UPDATE_EXPRESS_GATEWAY_SERVICE, name)
        .opt("--service-arn", arn)
}

/// A new revision of the service as it is, whose tasks start again (and so read their secrets
/// anew). Through Express Mode, not UpdateService: changes made to its ECS service directly "may
/// affect Express Mode's ability to manage your service" (Updating Resources Outside of Express
/// Mode), and members left out of UpdateExpressGatewayService keep their values.
pub async fn redeploy_express_service(clients: &AwsClients, arn: &str, name: &str) -> Result<()> {
    let request = clients
        .ecs()
        .update_express_gateway_service()
        .service_arn(arn)
        .send();
    redeploy_express_service_call(clients, arn, name)
        .send(request, |_| Ok(()))
        .await
}

/// Rolls the service out to `spec` (a new image, size or environment): ECS makes a new service
/// revision and deploys it. Answers the task definition of the new revision.
pub async fn update_express_service(
    clients: &AwsClients,
    arn: &str,
    spec: &ExpressSpec,
) -> Result<Option<String>> {
    let request = clients
        .ecs()
        .update_express_gateway_service()
        .service_arn(arn)
        .execution_role_arn(&spec.execution_role_arn)
        .primary_container(spec.container()?)
        .cpu(spec.cpu.to_string())
        .memory(spec.memory.to_string())
        .cpu_architecture(spec.architecture())
        .health_check_path(HEALTH_CHECK_PATH)
        .scaling_target(spec.scaling_target())
        .send();
    update_express_service_call(clients, arn, spec)
        .send(request, |out| {
            Ok(out
                .service()
                .and_then(|s| s.target_configuration())
                .and_then(|c| c.task_definition_arn())
                .map(str::to_owned))
        })
        .await
}

pub fn delete_express_service_call<'a>(clients: &'a AwsClients, arn: &str) -> Call<'a> {
    clients
        .call(&actions::DELETE_EXPRESS_GATEWAY_SERVICE, arn)
        .opt("--service-arn", arn)
}

/// Deletes the Express service: ECS drains it and removes what it made for it (its share of the
/// load balancer, target group, security groups).
pub async fn delete_express_service(clients: &AwsClients, arn: &str) -> Result<()> {
    let request = clients
        .ecs()
        .delete_express_gateway_service()
        .service_arn(arn)
        .send();
    delete_express_service_call(clients, arn)
        .send(request, |_| Ok(()))
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> ExpressSpec {
        ExpressSpec {
            cluster: "berth".into(),
            name: "web".into(),
            image: "1.dkr.ecr.us-east-1.amazonaws.com/web@sha256:ab".into(),
            port: 8080,
            cpu: 256,
            memory: 512,
            architecture: Architecture::X86_64,
            execution_role_arn: "arn:aws:iam::1:role/ecsTaskExecutionRole".into(),
            infrastructure_role_arn: "arn:aws:iam::1:role/ecsInfrastructureRoleForExpressServices"
                .into(),
            environment: vec![("MODE".into(), "prod".into())],
            secrets: Vec::new(),
            command: Vec::new(),
            log_group: "/berth/web".into(),
            log_stream_prefix: "ecs".into(),
            scaling: (1, 1, 60),
        }
    }

    #[test]
    fn the_container_argument_is_the_json_the_cli_takes() {
        let arg: Value = serde_json::from_str(&spec().container_arg()).unwrap();
        assert_eq!(
            arg["image"],
            "1.dkr.ecr.us-east-1.amazonaws.com/web@sha256:ab"
        );
        assert_eq!(arg["containerPort"], 8080);
        assert_eq!(arg["awsLogsConfiguration"]["logGroup"], "/berth/web");
        assert_eq!(arg["environment"][0]["name"], "MODE");
        assert!(arg.get("secrets").is_none() && arg.get("command").is_none());
        assert_eq!(
            spec().scaling_arg(),
            "minTaskCount=1,maxTaskCount=1,autoScalingMetric=AVERAGE_CPU,autoScalingTargetValue=60"
        );
    }
}
