//! The plan of a launch: for every resource, whether it will be created, reused or updated, with
//! the equivalent `aws` commands and the cost — computed without changing anything. `apply` runs
//! the same inspections right before acting, so what it does is what the plan said.

use super::network::{self, ResolvedNetwork};
use super::preflight::{self, Found};
use super::timeline::ResourceKind;
use super::{
    split_command, LaunchConfig, LaunchMode, Names, LOG_RETENTION_DAYS, LOG_STREAM_PREFIX,
    STARTED_BY,
};
use crate::activity::CliCommand;
use crate::aws::ec2::{self, IngressRule, SecurityGroup};
use crate::aws::ecs::{self, ContainerSpec, TaskDefinitionSpec, TaskFilter, TaskNetwork};
use crate::aws::logs::{self, LogGroup};
use crate::aws::AwsClients;
use crate::error::Result;
use crate::pricing::{self, CostEstimate, CostInput};
use crate::tags;
use serde::Serialize;
use ts_rs::TS;

/// What will happen to a resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum PlanAction {
    Create,
    Reuse,
    Update,
    /// Start one-off tasks.
    Run,
}

/// One difference an update will fix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Change {
    /// `retention`, `ingress`, `taskDefinition`, `desiredCount`, `network`.
    pub field: String,
    pub from: String,
    pub to: String,
}

/// One line of the review page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PlanItem {
    pub resource: ResourceKind,
    pub name: String,
    pub action: PlanAction,
    /// The existing resource's id or ARN, when it is reused or updated.
    pub id: Option<String>,
    pub changes: Vec<Change>,
    /// The `aws` commands that do the same (none for a reuse).
    pub commands: Vec<String>,
}

/// Something the review page must say before the user launches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum PlanNote {
    /// Blocks the launch: the execution role does not exist (any more). Fix it in the IAM step.
    ExecutionRoleMissing { role: String },
    /// Blocks the launch: a resource of the name Berth would use exists but is not Berth's.
    NameTaken {
        resource: ResourceKind,
        name: String,
    },
    /// The image tag is not in the repository: the task would stop with "not found".
    ImageNotFound { repository: String, tag: String },
    /// These subnets do not route to the internet: the task could not pull its image.
    PrivateSubnets { subnets: Vec<String> },
    /// Without a public IP a task in a public subnet cannot pull from ECR.
    NoPublicIp,
    /// The cluster exists but is not Berth's: it is used, and never deleted by teardown.
    ClusterNotBerths { name: String },
    /// One-off tasks of an earlier launch still run (they are not stopped by this one).
    TasksStillRunning { count: u32 },
}

impl PlanNote {
    pub fn is_blocking(&self) -> bool {
        matches!(
            self,
            PlanNote::ExecutionRoleMissing { .. } | PlanNote::NameTaken { .. }
        )
    }
}

/// The review page.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LaunchPlan {
    pub config: LaunchConfig,
    pub names: Names,
    pub region: String,
    pub practice: bool,
    pub vpc_id: String,
    pub subnet_ids: Vec<String>,
    pub items: Vec<PlanItem>,
    /// Blocking notes first.
    pub notes: Vec<PlanNote>,
    pub blocked: bool,
    /// `None` in a region Berth has no prices for.
    pub cost: Option<CostEstimate>,
}

/// The state a launch wants, computed once from the config and the network.
#[derive(Debug, Clone)]
pub struct Desired {
    pub names: Names,
    pub network: ResolvedNetwork,
    pub rule: IngressRule,
    pub task_definition: TaskDefinitionSpec,
    pub mode: LaunchMode,
    pub count: i32,
    pub public_ip: bool,
    pub tags: Vec<(String, String)>,
    /// Tags of the shared cluster: Berth's, without an app.
    pub cluster_tags: Vec<(String, String)>,
}

impl Desired {
    pub async fn of(clients: &AwsClients, config: &LaunchConfig) -> Result<Desired> {
        let network = network::resolve(clients, &config.choices.network).await?;
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
            .map(|v| (v.name.clone(), v.value.clone()))
            .collect();
        environment.sort();
        Desired {
            rule: IngressRule {
                port: c.port,
                cidr: c.network.ingress.cidr().to_owned(),
            },
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
                    // Checked by LaunchConfig::new.
                    command: split_command(&c.command).unwrap_or_default(),
                    log_group: names.log_group.clone(),
                    log_region: clients.region().to_owned(),
                    log_stream_prefix: LOG_STREAM_PREFIX.to_owned(),
                },
            },
            mode: c.mode,
            count: c.count as i32,
            public_ip: c.network.public_ip,
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
}

pub fn is_berths(tags: &[(String, String)]) -> bool {
    tags::is_managed(tags.iter().map(|(k, v)| (k.as_str(), v.as_str())))
}

fn ecs_tag_args(cmd: CliCommand, tags: &[(String, String)]) -> CliCommand {
    let cmd = cmd.arg("--tags");
    tags.iter()
        .fold(cmd, |cmd, (k, v)| cmd.arg(format!("key={k},value={v}")))
}

fn ec2_tag_spec(resource: &str, tags: &[(String, String)]) -> String {
    let list: Vec<String> = tags
        .iter()
        .map(|(k, v)| format!("{{Key={k},Value={v}}}"))
        .collect();
    format!("ResourceType={resource},Tags=[{}]", list.join(","))
}

/// The commands a launch runs, one builder per action (the plan shows them, apply logs them).
pub mod commands {
    use super::*;

    pub fn create_cluster(clients: &AwsClients, d: &Desired) -> CliCommand {
        ecs_tag_args(
            clients
                .cli("ecs", "create-cluster")
                .opt("--cluster-name", &d.names.cluster),
            &d.cluster_tags,
        )
    }

    pub fn create_log_group(clients: &AwsClients, d: &Desired) -> CliCommand {
        let tags: Vec<String> = d.tags.iter().map(|(k, v)| format!("{k}={v}")).collect();
        clients
            .cli("logs", "create-log-group")
            .opt("--log-group-name", &d.names.log_group)
            .opt("--tags", tags.join(","))
    }

    pub fn put_retention(clients: &AwsClients, d: &Desired) -> CliCommand {
        clients
            .cli("logs", "put-retention-policy")
            .opt("--log-group-name", &d.names.log_group)
            .opt("--retention-in-days", LOG_RETENTION_DAYS.to_string())
    }

    pub fn create_security_group(clients: &AwsClients, d: &Desired) -> CliCommand {
        clients
            .cli("ec2", "create-security-group")
            .opt("--group-name", &d.names.security_group)
            .opt("--description", security_group_description(&d.names))
            .opt("--vpc-id", &d.network.vpc_id)
            .opt(
                "--tag-specifications",
                ec2_tag_spec("security-group", &d.tags),
            )
    }

    pub fn authorize(clients: &AwsClients, group: &str, rule: &IngressRule) -> CliCommand {
        clients
            .cli("ec2", "authorize-security-group-ingress")
            .opt("--group-id", group)
            .opt("--protocol", "tcp")
            .opt("--port", rule.port.to_string())
            .opt("--cidr", &rule.cidr)
    }

    pub fn revoke(clients: &AwsClients, group: &str, rule: &IngressRule) -> CliCommand {
        clients
            .cli("ec2", "revoke-security-group-ingress")
            .opt("--group-id", group)
            .opt("--protocol", "tcp")
            .opt("--port", rule.port.to_string())
            .opt("--cidr", &rule.cidr)
    }

    pub fn register_task_definition(clients: &AwsClients, d: &Desired) -> CliCommand {
        let spec = &d.task_definition;
        ecs_tag_args(
            clients
                .cli("ecs", "register-task-definition")
                .opt("--family", &spec.family)
                .opt("--requires-compatibilities", "FARGATE")
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
                .opt(
                    "--container-definitions",
                    ecs::container_definitions_json(spec),
                ),
            &d.tags,
        )
    }

    fn network_arg(d: &Desired, group: &str) -> String {
        format!(
            "awsvpcConfiguration={{subnets=[{}],securityGroups=[{group}],assignPublicIp={}}}",
            d.network.subnet_ids().join(","),
            if d.public_ip { "ENABLED" } else { "DISABLED" }
        )
    }

    pub fn create_service(clients: &AwsClients, d: &Desired, group: &str, td: &str) -> CliCommand {
        ecs_tag_args(
            clients
                .cli("ecs", "create-service")
                .opt("--cluster", &d.names.cluster)
                .opt("--service-name", &d.names.service)
                .opt("--task-definition", td)
                .opt("--desired-count", d.count.to_string())
                .opt("--launch-type", "FARGATE")
                .opt("--network-configuration", network_arg(d, group))
                .opt("--propagate-tags", "SERVICE"),
            &d.tags,
        )
    }

    pub fn update_service(clients: &AwsClients, d: &Desired, group: &str, td: &str) -> CliCommand {
        clients
            .cli("ecs", "update-service")
            .opt("--cluster", &d.names.cluster)
            .opt("--service", &d.names.service)
            .opt("--task-definition", td)
            .opt("--desired-count", d.count.to_string())
            .opt("--network-configuration", network_arg(d, group))
    }

    pub fn run_task(
        clients: &AwsClients,
        d: &Desired,
        group: &str,
        td: &str,
        count: i32,
    ) -> CliCommand {
        ecs_tag_args(
            clients
                .cli("ecs", "run-task")
                .opt("--cluster", &d.names.cluster)
                .opt("--task-definition", td)
                .opt("--count", count.to_string())
                .opt("--launch-type", "FARGATE")
                .opt("--network-configuration", network_arg(d, group))
                .opt("--started-by", STARTED_BY)
                .opt("--propagate-tags", "TASK_DEFINITION"),
            &d.tags,
        )
    }
}

pub fn security_group_description(names: &Names) -> String {
    format!("Berth: inbound traffic to {}", names.app)
}

/// The shared cluster: created when missing.
pub async fn inspect_cluster(
    clients: &AwsClients,
    d: &Desired,
) -> Result<(PlanItem, Option<ecs::Cluster>)> {
    let existing = ecs::describe_cluster(clients, &d.names.cluster).await?;
    let item = PlanItem {
        resource: ResourceKind::Cluster,
        name: d.names.cluster.clone(),
        action: if existing.is_some() {
            PlanAction::Reuse
        } else {
            PlanAction::Create
        },
        id: existing.as_ref().map(|c| c.arn.clone()),
        changes: Vec::new(),
        commands: if existing.is_some() {
            Vec::new()
        } else {
            vec![commands::create_cluster(clients, d).render()]
        },
    };
    Ok((item, existing))
}

/// The app's log group, with its retention.
pub async fn inspect_log_group(
    clients: &AwsClients,
    d: &Desired,
) -> Result<(PlanItem, Option<LogGroup>)> {
    let existing = logs::find_log_group(clients, &d.names.log_group).await?;
    let (action, changes, cmds) = match &existing {
        None => (
            PlanAction::Create,
            Vec::new(),
            vec![
                commands::create_log_group(clients, d).render(),
                commands::put_retention(clients, d).render(),
            ],
        ),
        Some(g) if g.retention_days != Some(LOG_RETENTION_DAYS) => (
            PlanAction::Update,
            vec![Change {
                field: "retention".into(),
                from: g
                    .retention_days
                    .map(|r| r.to_string())
                    .unwrap_or_else(|| "never".into()),
                to: LOG_RETENTION_DAYS.to_string(),
            }],
            vec![commands::put_retention(clients, d).render()],
        ),
        Some(_) => (PlanAction::Reuse, Vec::new(), Vec::new()),
    };
    let item = PlanItem {
        resource: ResourceKind::LogGroup,
        name: d.names.log_group.clone(),
        action,
        id: existing.as_ref().map(|g| g.arn.clone()),
        changes,
        commands: cmds,
    };
    Ok((item, existing))
}

/// The app's security group.
pub async fn inspect_security_group(
    clients: &AwsClients,
    d: &Desired,
) -> Result<(PlanItem, Option<SecurityGroup>)> {
    let existing =
        ec2::find_security_group(clients, &d.network.vpc_id, &d.names.security_group).await?;
    let item = PlanItem {
        resource: ResourceKind::SecurityGroup,
        name: d.names.security_group.clone(),
        action: if existing.is_some() {
            PlanAction::Reuse
        } else {
            PlanAction::Create
        },
        id: existing.as_ref().map(|g| g.id.clone()),
        changes: Vec::new(),
        commands: if existing.is_some() {
            Vec::new()
        } else {
            vec![commands::create_security_group(clients, d).render()]
        },
    };
    Ok((item, existing))
}

/// How the security group's inbound rules must change: exactly the container port from the
/// chosen range, nothing else (the group is Berth's, made for this app).
pub struct RuleChanges {
    pub add: Option<IngressRule>,
    pub remove: Vec<IngressRule>,
}

pub fn rule_changes(existing: Option<&SecurityGroup>, wanted: &IngressRule) -> RuleChanges {
    let current = existing.map(|g| g.ingress.as_slice()).unwrap_or_default();
    RuleChanges {
        add: (!current.contains(wanted)).then(|| wanted.clone()),
        remove: current.iter().filter(|r| *r != wanted).cloned().collect(),
    }
}

fn rule_label(rule: &IngressRule) -> String {
    format!("tcp {} ← {}", rule.port, rule.cidr)
}

pub fn inspect_rule(clients: &AwsClients, d: &Desired, group: Option<&SecurityGroup>) -> PlanItem {
    let changes = rule_changes(group, &d.rule);
    let group_ref = group
        .map(|g| g.id.clone())
        .unwrap_or_else(|| format!("<{}>", d.names.security_group));
    let mut cmds: Vec<String> = changes
        .remove
        .iter()
        .map(|r| commands::revoke(clients, &group_ref, r).render())
        .collect();
    if let Some(add) = &changes.add {
        cmds.push(commands::authorize(clients, &group_ref, add).render());
    }
    let action = match (&changes.add, changes.remove.is_empty(), group) {
        (None, true, _) => PlanAction::Reuse,
        (Some(_), true, _) => PlanAction::Create,
        _ => PlanAction::Update,
    };
    PlanItem {
        resource: ResourceKind::IngressRule,
        name: rule_label(&d.rule),
        action,
        id: None,
        changes: changes
            .remove
            .iter()
            .map(|r| Change {
                field: "ingress".into(),
                from: rule_label(r),
                to: rule_label(&d.rule),
            })
            .collect(),
        commands: cmds,
    }
}

/// The newest ACTIVE revision of the family, and whether its tags are Berth's.
pub struct FamilyState {
    pub latest: Option<ecs::TaskDefinition>,
    /// Some revision of the family is not Berth's.
    pub foreign: bool,
}

pub async fn family_state(clients: &AwsClients, family: &str) -> Result<FamilyState> {
    let arns = ecs::list_task_definitions(clients, family).await?;
    let Some(newest) = arns.first() else {
        return Ok(FamilyState {
            latest: None,
            foreign: false,
        });
    };
    let latest = ecs::describe_task_definition(clients, newest).await?;
    Ok(FamilyState {
        foreign: !is_berths(&latest.tags),
        latest: Some(latest),
    })
}

/// A new revision unless the newest one is exactly what is wanted.
pub fn inspect_task_definition(
    clients: &AwsClients,
    d: &Desired,
    family: &FamilyState,
) -> PlanItem {
    let reuse = family
        .latest
        .as_ref()
        .filter(|td| td.spec.as_ref() == Some(&d.task_definition));
    PlanItem {
        resource: ResourceKind::TaskDefinition,
        name: match (&reuse, &family.latest) {
            (Some(td), _) => format!("{}:{}", d.names.family, td.revision),
            (None, Some(td)) => format!("{}:{}", d.names.family, td.revision + 1),
            (None, None) => format!("{}:1", d.names.family),
        },
        action: if reuse.is_some() {
            PlanAction::Reuse
        } else {
            PlanAction::Create
        },
        id: reuse.map(|td| td.arn.clone()),
        changes: Vec::new(),
        commands: if reuse.is_some() {
            Vec::new()
        } else {
            vec![commands::register_task_definition(clients, d).render()]
        },
    }
}

/// What the service will run, once the task definition and group are known.
pub struct ServiceTarget<'a> {
    /// The ARN of the revision to run, or `None` when it is yet to be registered.
    pub task_definition: Option<&'a str>,
    /// The security group id, or `None` when it is yet to be created.
    pub security_group: Option<&'a str>,
}

pub async fn find_service(clients: &AwsClients, d: &Desired) -> Result<Option<ecs::Service>> {
    ecs::describe_service(clients, &d.names.cluster, &d.names.service).await
}

pub fn inspect_service(
    clients: &AwsClients,
    d: &Desired,
    existing: Option<&ecs::Service>,
    target: &ServiceTarget<'_>,
) -> PlanItem {
    let group = target
        .security_group
        .map(str::to_owned)
        .unwrap_or_else(|| format!("<{}>", d.names.security_group));
    // Until it is registered, the CLI refers to the family (its newest revision).
    let td = target.task_definition.unwrap_or(&d.names.family);
    let Some(service) = existing else {
        return PlanItem {
            resource: ResourceKind::Service,
            name: d.names.service.clone(),
            action: PlanAction::Create,
            id: None,
            changes: Vec::new(),
            commands: vec![commands::create_service(clients, d, &group, td).render()],
        };
    };
    let mut changes = Vec::new();
    if target.task_definition != Some(service.task_definition.as_str()) {
        changes.push(Change {
            field: "taskDefinition".into(),
            from: short_td(&service.task_definition),
            to: target
                .task_definition
                .map(short_td)
                .unwrap_or_else(|| format!("{}:new", d.names.family)),
        });
    }
    if service.desired != d.count {
        changes.push(Change {
            field: "desiredCount".into(),
            from: service.desired.to_string(),
            to: d.count.to_string(),
        });
    }
    let wanted = target.security_group.map(|g| d.task_network(g));
    if wanted.is_none() || service.network != wanted {
        changes.push(Change {
            field: "network".into(),
            from: network_label(service.network.as_ref()),
            to: network_label(wanted.as_ref()),
        });
    }
    PlanItem {
        resource: ResourceKind::Service,
        name: d.names.service.clone(),
        action: if changes.is_empty() {
            PlanAction::Reuse
        } else {
            PlanAction::Update
        },
        id: Some(service.arn.clone()),
        commands: if changes.is_empty() {
            Vec::new()
        } else {
            vec![commands::update_service(clients, d, &group, td).render()]
        },
        changes,
    }
}

fn short_td(arn: &str) -> String {
    arn.rsplit('/').next().unwrap_or(arn).to_owned()
}

fn network_label(network: Option<&TaskNetwork>) -> String {
    match network {
        None => "—".into(),
        Some(n) => format!(
            "{} / {} / public IP {}",
            n.subnets.join(","),
            n.security_groups.join(","),
            if n.public_ip { "on" } else { "off" }
        ),
    }
}

/// One-off tasks of this app that Berth started and that still run (or are starting).
pub async fn live_tasks(clients: &AwsClients, d: &Desired) -> Result<Vec<ecs::Task>> {
    let filter = TaskFilter {
        family: Some(&d.names.family),
        started_by: Some(STARTED_BY),
        ..TaskFilter::default()
    };
    let arns = ecs::list_tasks(clients, &d.names.cluster, &filter).await?;
    if arns.is_empty() {
        return Ok(Vec::new());
    }
    let tasks = ecs::describe_tasks(clients, &d.names.cluster, &arns).await?;
    Ok(tasks
        .into_iter()
        .filter(|t| {
            t.desired_status == "RUNNING"
                && matches!(
                    t.last_status.as_str(),
                    "PROVISIONING" | "PENDING" | "ACTIVATING" | "RUNNING"
                )
        })
        .collect())
}

/// One-off mode: reuse tasks of the same revision that already run, start the rest.
pub fn inspect_tasks(
    clients: &AwsClients,
    d: &Desired,
    live: &[ecs::Task],
    target: &ServiceTarget<'_>,
) -> (PlanItem, Vec<String>) {
    let same: Vec<String> = live
        .iter()
        .filter(|t| Some(t.task_definition.as_str()) == target.task_definition)
        .map(|t| t.arn.clone())
        .collect();
    let missing = (d.count - same.len() as i32).max(0);
    let group = target
        .security_group
        .map(str::to_owned)
        .unwrap_or_else(|| format!("<{}>", d.names.security_group));
    let td = target.task_definition.unwrap_or(&d.names.family);
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
            vec![commands::run_task(clients, d, &group, td, missing).render()]
        },
    };
    (item, same)
}

/// Computes the plan. Read-only: nothing is created, changed or deleted.
pub async fn plan(clients: &AwsClients, config: &LaunchConfig) -> Result<LaunchPlan> {
    let d = Desired::of(clients, config).await?;
    let mut notes = Vec::new();

    if preflight::execution_role(clients, &config.execution_role_arn).await? == Found::No {
        notes.push(PlanNote::ExecutionRoleMissing {
            role: config.execution_role_arn.clone(),
        });
    }
    if let (Some(repository), Some(tag)) = (
        config.repository.as_deref(),
        preflight::tag_of(&config.image),
    ) {
        if preflight::image_tag(clients, repository, tag).await? == Found::No {
            notes.push(PlanNote::ImageNotFound {
                repository: repository.to_owned(),
                tag: tag.to_owned(),
            });
        }
    }
    let private = d.network.private_subnets();
    if !private.is_empty() {
        notes.push(PlanNote::PrivateSubnets { subnets: private });
    }
    if !d.public_ip {
        notes.push(PlanNote::NoPublicIp);
    }

    let (cluster, existing_cluster) = inspect_cluster(clients, &d).await?;
    if let Some(c) = &existing_cluster {
        if !is_berths(&c.tags) {
            notes.push(PlanNote::ClusterNotBerths {
                name: c.name.clone(),
            });
        }
    }
    let (log_group, existing_group) = inspect_log_group(clients, &d).await?;
    if existing_group.as_ref().is_some_and(|g| !is_berths(&g.tags)) {
        notes.push(PlanNote::NameTaken {
            resource: ResourceKind::LogGroup,
            name: d.names.log_group.clone(),
        });
    }
    let (security_group, existing_sg) = inspect_security_group(clients, &d).await?;
    if existing_sg.as_ref().is_some_and(|g| !is_berths(&g.tags)) {
        notes.push(PlanNote::NameTaken {
            resource: ResourceKind::SecurityGroup,
            name: d.names.security_group.clone(),
        });
    }
    let rule = inspect_rule(clients, &d, existing_sg.as_ref());
    let family = family_state(clients, &d.names.family).await?;
    if family.foreign {
        notes.push(PlanNote::NameTaken {
            resource: ResourceKind::TaskDefinition,
            name: d.names.family.clone(),
        });
    }
    let task_definition = inspect_task_definition(clients, &d, &family);
    let target = ServiceTarget {
        task_definition: task_definition.id.as_deref(),
        security_group: existing_sg.as_ref().map(|g| g.id.as_str()),
    };
    let run_item = match d.mode {
        LaunchMode::Service => {
            let service = if existing_cluster.is_some() {
                find_service(clients, &d).await?
            } else {
                None
            };
            if service.as_ref().is_some_and(|s| !is_berths(&s.tags)) {
                notes.push(PlanNote::NameTaken {
                    resource: ResourceKind::Service,
                    name: d.names.service.clone(),
                });
            }
            inspect_service(clients, &d, service.as_ref(), &target)
        }
        LaunchMode::Task => {
            let live = if existing_cluster.is_some() {
                live_tasks(clients, &d).await?
            } else {
                Vec::new()
            };
            let (item, same) = inspect_tasks(clients, &d, &live, &target);
            let others = live.len() - same.len();
            if others > 0 && item.action == PlanAction::Run {
                notes.push(PlanNote::TasksStillRunning {
                    count: others as u32,
                });
            }
            item
        }
    };

    notes.sort_by_key(|n| !n.is_blocking());
    let cost = pricing::fargate_estimate(&CostInput {
        region: clients.region(),
        architecture: config.choices.architecture,
        cpu: config.choices.cpu,
        memory: config.choices.memory,
        count: config.choices.count,
        public_ip: config.choices.network.public_ip,
    });
    Ok(LaunchPlan {
        config: config.clone(),
        region: clients.region().to_owned(),
        practice: clients.is_practice(),
        vpc_id: d.network.vpc_id.clone(),
        subnet_ids: d.network.subnet_ids(),
        blocked: notes.iter().any(PlanNote::is_blocking),
        items: vec![
            cluster,
            log_group,
            security_group,
            rule,
            task_definition,
            run_item,
        ],
        notes,
        cost,
        names: d.names,
    })
}
