//! The state a launch wants — names, network, task definition, count and tags — computed once
//! from the user's choices and the resolved network, and shared by the plan and the apply.

use super::network::{self, ResolvedNetwork};
use super::{split_command, LaunchConfig, LaunchMode, Names, Scaling, LOG_STREAM_PREFIX};
use crate::aws::ec2::IngressRule;
use crate::aws::ecs::{ContainerSpec, TaskDefinitionSpec, TaskNetwork};
use crate::aws::AwsClients;
use crate::error::Result;
use crate::tags;

/// The state a launch wants.
#[derive(Debug, Clone)]
pub struct Desired {
    pub names: Names,
    pub network: ResolvedNetwork,
    /// The inbound rule for the port; none for a task that runs once, which nobody connects to.
    pub rule: Option<IngressRule>,
    pub task_definition: TaskDefinitionSpec,
    pub mode: LaunchMode,
    pub count: i32,
    /// A service that scales itself (then `count` is its minimum, to start with).
    pub scaling: Option<Scaling>,
    pub public_ip: bool,
    /// A stable HTTPS address: ECS Express Mode runs the service, with this infrastructure role.
    pub express: bool,
    pub infrastructure_role_arn: Option<String>,
    pub tags: Vec<(String, String)>,
    /// Tags of the shared cluster: Berth's, without an app.
    pub cluster_tags: Vec<(String, String)>,
}

impl Desired {
    pub async fn of(clients: &AwsClients, config: &LaunchConfig) -> Result<Desired> {
        let network = network::resolve(
            clients,
            &config.choices.network,
            config.choices.architecture,
        )
        .await?;
        Ok(Desired::with_network(clients, config, network))
    }

    pub fn with_network(
        clients: &AwsClients,
        config: &LaunchConfig,
        network: ResolvedNetwork,
    ) -> Desired {
        let c = &config.choices;
        let names = config.names();
        let mut environment: Vec<(String, String)> = c
            .environment
            .iter()
            .filter(|v| !v.secret)
            .map(|v| (v.name.clone(), v.value.clone()))
            .collect();
        environment.sort();
        Desired {
            // An Express service's load balancer and security groups are ECS's.
            rule: (c.mode == LaunchMode::Service && !config.is_express()).then(|| IngressRule {
                port: c.port,
                cidr: c.network.ingress.cidr().to_owned(),
            }),
            task_definition: TaskDefinitionSpec {
                family: names.family.clone(),
                cpu: c.cpu,
                memory: c.memory,
                architecture: c.architecture,
                execution_role_arn: config.execution_role_arn.clone(),
                container: ContainerSpec {
                    name: names.container.clone(),
                    image: config.image.clone(),
                    port: c.port,
                    environment,
                    secrets: super::secrets::value_froms(clients.region(), config),
                    // Checked by LaunchConfig::new.
                    command: split_command(&c.command).unwrap_or_default(),
                    log_group: names.log_group.clone(),
                    log_region: clients.region().to_owned(),
                    log_stream_prefix: LOG_STREAM_PREFIX.to_owned(),
                },
            },
            mode: c.mode,
            count: c.count as i32,
            scaling: c.scaling.filter(|_| c.mode == LaunchMode::Service),
            public_ip: c.network.public_ip,
            express: config.is_express(),
            infrastructure_role_arn: config.infrastructure_role_arn.clone(),
            tags: tags::berth_tags(Some(&c.app)),
            cluster_tags: tags::berth_tags(None),
            network,
            names,
        }
    }

    pub fn task_network(&self, security_group: &str) -> TaskNetwork {
        TaskNetwork {
            subnets: self.network.subnet_ids(),
            security_groups: vec![security_group.to_owned()],
            public_ip: self.public_ip,
        }
    }

    pub fn security_group_description(&self) -> String {
        format!("Berth: inbound traffic to {}", self.names.app)
    }
}

/// What the service or tasks will run, once the task definition and group are known.
pub struct Target<'a> {
    /// The ARN of the revision to run, or `None` when it is yet to be registered.
    pub task_definition: Option<&'a str>,
    /// The security group id, or `None` when it is yet to be created.
    pub security_group: Option<&'a str>,
}

impl Target<'_> {
    /// The task definition and group as a plan names them before they exist: the family (its
    /// newest revision) and `<group name>`.
    pub fn named(&self, d: &Desired) -> (String, String) {
        (
            self.task_definition
                .map(str::to_owned)
                .unwrap_or_else(|| d.names.family.clone()),
            self.security_group
                .map(str::to_owned)
                .unwrap_or_else(|| format!("<{}>", d.names.security_group)),
        )
    }
}

/// Whether a resource's tags say Berth made it.
pub fn is_berths(tags: &[(String, String)]) -> bool {
    tags::is_managed(tags.iter().map(|(k, v)| (k.as_str(), v.as_str())))
}
