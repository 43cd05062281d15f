//! What the user chooses on the Launch page, the names it gives everything, and every rule the
//! choices must keep — checked here, before any AWS call.

use super::{CLUSTER, LOG_STREAM_PREFIX, MAX_COUNT};
use crate::aws::ecs::Task;
use crate::error::{BerthError, Result};
use crate::fargate::{self, Architecture};
use crate::settings::WizardSettings;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

const MAX_APP_LEN: usize = 32;
const MAX_ENV_VARS: usize = 50;

/// A long-running service (restarted when it stops) or a task that runs once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum LaunchMode {
    Service,
    Task,
}

/// How people reach a service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum Address {
    /// Each task's public IP and the port: free of extra charges, but it changes whenever a task
    /// is replaced, and it is plain HTTP.
    #[default]
    PublicIp,
    /// A stable HTTPS address through ECS Express Mode: ECS puts the service behind a load
    /// balancer (an extra monthly cost) with a `*.ecs.<region>.on.aws` name and its certificate.
    Https,
}

/// One environment variable of the container.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct EnvVar {
    pub name: String,
    /// Empty for a secret once the choices have been read ([`LaunchConfig::new`]): its value is
    /// in [`LaunchConfig::secret_values`], never sent back to the webview nor saved.
    pub value: String,
    /// Kept in SSM Parameter Store (SecureString) and referenced by the task definition's
    /// `secrets`, instead of written into its `environment`.
    #[serde(default)]
    pub secret: bool,
}

/// Who may connect to the container's port.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum Ingress {
    /// Everyone on the internet (0.0.0.0/0).
    Anywhere,
    /// One IPv4 range, e.g. the user's own address as `203.0.113.7/32`.
    Cidr { cidr: String },
}

impl Ingress {
    pub fn cidr(&self) -> &str {
        match self {
            Ingress::Anywhere => "0.0.0.0/0",
            Ingress::Cidr { cidr } => cidr.trim(),
        }
    }
}

/// Where the task's network interface goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct NetworkChoice {
    /// `None`: the region's default VPC.
    pub vpc_id: Option<String>,
    /// Empty: the VPC's default (public) subnets.
    pub subnet_ids: Vec<String>,
    pub ingress: Ingress,
    /// Give the task a public IPv4 address (needed to pull from ECR in a public subnet, and to
    /// open the app from the internet).
    pub public_ip: bool,
}

impl Default for NetworkChoice {
    fn default() -> Self {
        NetworkChoice {
            vpc_id: None,
            subnet_ids: Vec::new(),
            ingress: Ingress::Anywhere,
            public_ip: true,
        }
    }
}

/// A service that scales itself: Application Auto Scaling keeps its desired count between `min`
/// and `max`, adding tasks when their average CPU stays above `cpu_target` percent and removing
/// them when it stays below.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Scaling {
    pub min: u32,
    pub max: u32,
    /// Average CPU utilization to keep, percent.
    pub cpu_target: u32,
}

/// The most tasks a scaling service may reach: Berth's cap, as for a fixed count.
pub const MAX_SCALING_TASKS: u32 = MAX_COUNT;
/// The CPU targets Berth offers: below 10 % a service would scale out on almost nothing, above
/// 90 % it would scale out only once it is already slow.
pub const CPU_TARGET_RANGE: std::ops::RangeInclusive<u32> = 10..=90;

impl Default for Scaling {
    fn default() -> Self {
        Scaling {
            min: 1,
            max: 3,
            cpu_target: 60,
        }
    }
}

/// Checks a scaling choice (a service needs at least one task: it has no load balancer that would
/// wake it up from zero).
pub fn validate_scaling(s: &Scaling) -> Result<()> {
    if s.min < 1 {
        return Err(BerthError::invalid("scalingMin", "atLeastOne"));
    }
    if s.max > MAX_SCALING_TASKS {
        return Err(
            BerthError::invalid("scalingMax", "range").with("max", MAX_SCALING_TASKS.to_string())
        );
    }
    if s.min > s.max {
        return Err(BerthError::invalid("scalingMax", "belowMin").with("min", s.min.to_string()));
    }
    if !CPU_TARGET_RANGE.contains(&s.cpu_target) {
        return Err(BerthError::invalid("scalingCpu", "range")
            .with("min", CPU_TARGET_RANGE.start().to_string())
            .with("max", CPU_TARGET_RANGE.end().to_string()));
    }
    Ok(())
}

/// What the user chose on the Launch page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LaunchChoices {
    /// Names everything: task family and service `<app>`, log group `/berth/<app>`, security
    /// group `berth-<app>`.
    pub app: String,
    pub cpu: u32,
    pub memory: u32,
    pub architecture: Architecture,
    pub port: u16,
    pub environment: Vec<EnvVar>,
    /// A command that replaces the image's own (shell words); empty keeps the image's.
    pub command: String,
    pub mode: LaunchMode,
    /// Tasks to keep running (service) or to start (one-off).
    pub count: u32,
    pub network: NetworkChoice,
    /// A service that scales itself between a minimum and a maximum (`None`: a fixed count).
    /// Launches remembered from before scaling existed have none.
    #[serde(default)]
    pub scaling: Option<Scaling>,
    /// How a service is reached (a task that runs once has no address). Launches remembered
    /// from before Express Mode have none: a public IP.
    #[serde(default)]
    pub address: Address,
}

/// Everything a launch needs: the choices plus what the earlier steps left ready.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LaunchConfig {
    pub choices: LaunchChoices,
    /// `<account>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag>`.
    pub image: String,
    /// `linux/amd64` or `linux/arm64`, as the Image step pushed it.
    pub image_platform: Option<String>,
    pub repository: Option<String>,
    pub execution_role_arn: String,
    /// The Express Mode infrastructure role, for a stable HTTPS address: the IAM step's, in the
    /// execution role's account.
    #[serde(default)]
    pub infrastructure_role_arn: Option<String>,
    /// The values typed for secret variables in this launch (none for a secret kept as stored).
    /// Held in Rust only: never serialized, so never in the plan, the record or an event.
    #[serde(skip)]
    #[ts(skip)]
    pub secret_values: super::secrets::SecretValues,
}

impl LaunchConfig {
    /// Checks the choices and joins them with the image and role of the earlier steps. Every
    /// rule is checked here, before any AWS call.
    pub fn new(choices: LaunchChoices, wizard: &WizardSettings) -> Result<LaunchConfig> {
        let role = wizard
            .execution_role_arn
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .ok_or_else(|| BerthError::invalid("executionRole", "required"))?;
        let image = wizard
            .image
            .as_ref()
            .ok_or_else(|| BerthError::invalid("image", "required"))?;
        let (choices, secret_values) = super::secrets::take_values(normalized(choices));
        let infrastructure_role_arn = (choices.address == Address::Https)
            .then(|| infrastructure_role_beside(role))
            .flatten();
        let config = LaunchConfig {
            infrastructure_role_arn,
            choices,
            secret_values,
            image: pinned(&image.uri, &image.digest),
            image_platform: Some(image.platform.clone()).filter(|p| !p.is_empty()),
            repository: Some(image.repository.clone()),
            execution_role_arn: role.to_owned(),
        };
        validate(&config)?;
        Ok(config)
    }

    pub fn names(&self) -> Names {
        Names::of(&self.choices.app)
    }

    /// Whether the service gets a stable HTTPS address (ECS Express Mode).
    pub fn is_express(&self) -> bool {
        self.choices.mode == LaunchMode::Service && self.choices.address == Address::Https
    }
}

/// The infrastructure role's ARN in the account (and partition) of the execution role.
fn infrastructure_role_beside(execution_role_arn: &str) -> Option<String> {
    let mut parts = execution_role_arn.split(':');
    let (arn, partition, service) = (parts.next()?, parts.next()?, parts.next()?);
    let account = parts.nth(1)?;
    (arn == "arn" && service == "iam" && !account.is_empty()).then(|| {
        format!(
            "arn:{partition}:iam::{account}:role/{}",
            crate::permissions::INFRASTRUCTURE_ROLE_NAME
        )
    })
}

/// The pushed image by its digest (`repo@sha256:…`) rather than its tag: a tag may move (a rebuild
/// pushed under the same git commit), and a task definition that names the tag would then look
/// unchanged, be reused, and never deploy the new image. A digest always names exactly what was
/// pushed. Without a digest the URI is kept as it is.
pub fn pinned(uri: &str, digest: &str) -> String {
    if !digest.starts_with("sha256:") {
        return uri.to_owned();
    }
    let without_digest = uri.split('@').next().unwrap_or(uri);
    let last_slash = without_digest.rfind('/').map_or(0, |i| i + 1);
    let repository = match without_digest[last_slash..].rfind(':') {
        Some(colon) => &without_digest[..last_slash + colon],
        None => without_digest,
    };
    format!("{repository}@{digest}")
}

/// Trims what the user typed, so equal choices give equal task definitions.
fn normalized(mut c: LaunchChoices) -> LaunchChoices {
    c.app = c.app.trim().to_owned();
    c.command = c.command.trim().to_owned();
    for var in &mut c.environment {
        var.name = var.name.trim().to_owned();
    }
    // Empty rows of the form are not variables.
    c.environment
        .retain(|v| !(v.name.is_empty() && v.value.is_empty() && !v.secret));
    // Only a service scales, and only a service has an address; it starts with its minimum.
    if c.mode != LaunchMode::Service {
        c.scaling = None;
        c.address = Address::PublicIp;
    }
    if let Some(s) = c.scaling {
        c.count = s.min;
    }
    c.network.subnet_ids.sort();
    c.network.subnet_ids.dedup();
    if let Ingress::Cidr { cidr } = &mut c.network.ingress {
        *cidr = cidr.trim().to_owned();
    }
    c.network.vpc_id = c
        .network
        .vpc_id
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty());
    c
}

/// The names of everything a launch of `app` creates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Names {
    pub app: String,
    pub cluster: String,
    pub log_group: String,
    pub security_group: String,
    pub family: String,
    pub service: String,
    pub container: String,
}

impl Names {
    pub fn of(app: &str) -> Names {
        Names {
            app: app.to_owned(),
            cluster: CLUSTER.to_owned(),
            log_group: format!("/berth/{app}"),
            security_group: format!("berth-{app}"),
            family: app.to_owned(),
            service: app.to_owned(),
            container: app.to_owned(),
        }
    }

    /// The log stream the awslogs driver writes a task's container output to. The container is
    /// named by the task itself where it can be: an Express service's task definition is ECS's,
    /// and its container is `Main`, not the one Berth names.
    pub fn log_stream(&self, task: &Task) -> String {
        let container = task
            .containers
            .iter()
            .find(|c| c.name == self.container)
            .or_else(|| task.containers.first())
            .map_or(self.container.as_str(), |c| c.name.as_str());
        format!("{LOG_STREAM_PREFIX}/{container}/{}", task.id)
    }
}

/// A default app name from an ECR repository name: its last part, in the characters ECS
/// names allow (`team/web.app` → `web-app`).
pub fn app_name_from_repository(repository: &str) -> String {
    let last = repository.rsplit('/').next().unwrap_or(repository);
    let mut name: String = last
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    name = name.trim_matches('-').to_owned();
    name.truncate(MAX_APP_LEN);
    let name = name.trim_end_matches('-').to_owned();
    if name.is_empty() {
        "app".to_owned()
    } else {
        name
    }
}

/// Checks an app name: it becomes an ECS family, a service, a security group and a file name.
pub fn validate_app(app: &str) -> Result<()> {
    if app.is_empty() {
        return Err(BerthError::invalid("app", "required"));
    }
    if app.len() > MAX_APP_LEN {
        return Err(BerthError::invalid("app", "tooLong").with("max", MAX_APP_LEN.to_string()));
    }
    let valid = app
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && app.starts_with(|c: char| c.is_ascii_alphanumeric())
        && !app.ends_with('-');
    if !valid {
        return Err(BerthError::invalid("app", "characters"));
    }
    Ok(())
}

/// Checks an environment variable name the way shells and Docker read them.
pub fn validate_env_name(name: &str) -> Result<()> {
    if name.is_empty() {
        return Err(BerthError::invalid("envName", "required"));
    }
    let valid = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !valid {
        return Err(BerthError::invalid("envName", "characters").with("name", name));
    }
    // ECS sets these itself; a task that overrides them breaks its own credentials and metadata.
    if name.starts_with("ECS_") || name.starts_with("AWS_CONTAINER_") {
        return Err(BerthError::invalid("envName", "reserved").with("name", name));
    }
    Ok(())
}

/// Checks an IPv4 range like `203.0.113.7/32`.
pub fn validate_cidr(cidr: &str) -> Result<()> {
    let bad = || BerthError::invalid("cidr", "format");
    let (address, prefix) = cidr.split_once('/').ok_or_else(bad)?;
    let _: std::net::Ipv4Addr = address.parse().map_err(|_| bad())?;
    let prefix: u8 = prefix.parse().map_err(|_| bad())?;
    if prefix > 32 || prefix.to_string().len() != cidr.len() - address.len() - 1 {
        return Err(bad());
    }
    Ok(())
}

/// Every rule of a launch, in the order the form shows the fields.
pub fn validate(config: &LaunchConfig) -> Result<()> {
    let c = &config.choices;
    validate_app(&c.app)?;
    fargate::validate_size(c.cpu, c.memory)?;
    fargate::check_platform(c.architecture, config.image_platform.as_deref())?;
    if c.port == 0 {
        return Err(BerthError::invalid("port", "range"));
    }
    if c.environment.len() > MAX_ENV_VARS {
        return Err(BerthError::invalid("envName", "tooMany").with("max", MAX_ENV_VARS.to_string()));
    }
    for (i, var) in c.environment.iter().enumerate() {
        validate_env_name(&var.name).map_err(|e| e.with("index", i.to_string()))?;
        if c.environment[..i].iter().any(|v| v.name == var.name) {
            return Err(BerthError::invalid("envName", "duplicate")
                .with("name", &var.name)
                .with("index", i.to_string()));
        }
    }
    split_command(&c.command)?;
    if let Some(s) = &c.scaling {
        validate_scaling(s)?;
    }
    if c.count == 0 || c.count > MAX_COUNT {
        return Err(BerthError::invalid("count", "range").with("max", MAX_COUNT.to_string()));
    }
    // A task that runs once gets no inbound rule, so its range is not used.
    if let (LaunchMode::Service, Ingress::Cidr { cidr }) = (c.mode, &c.network.ingress) {
        validate_cidr(cidr)?;
    }
    if c.network.vpc_id.is_some() && c.network.subnet_ids.is_empty() {
        return Err(BerthError::invalid("subnets", "required"));
    }
    if config.is_express() {
        // Express Mode puts the service in the default VPC's public subnets, behind a load
        // balancer open to everyone on port 443: Berth's network choices would not apply.
        if c.network.vpc_id.is_some() || !c.network.subnet_ids.is_empty() {
            return Err(BerthError::invalid("address", "defaultVpcOnly"));
        }
        if c.network.ingress != Ingress::Anywhere {
            return Err(BerthError::invalid("address", "openToEveryone"));
        }
        if config.infrastructure_role_arn.is_none() {
            return Err(BerthError::invalid("infrastructureRole", "required"));
        }
    }
    Ok(())
}

/// Splits a command line into words the way a POSIX shell would (quotes and backslashes), so
/// `sh -c "echo hi"` becomes `["sh", "-c", "echo hi"]`.
pub fn split_command(line: &str) -> Result<Vec<String>> {
    shlex::split(line).ok_or_else(|| BerthError::invalid("command", "quotes"))
}

/// The defaults the Launch page starts from for an app.
pub fn default_choices(app: &str, image_platform: Option<&str>) -> LaunchChoices {
    LaunchChoices {
        app: app.to_owned(),
        cpu: fargate::DEFAULT_CPU,
        memory: fargate::DEFAULT_MEMORY,
        architecture: image_platform
            .and_then(Architecture::for_platform)
            .unwrap_or(Architecture::X86_64),
        port: 80,
        environment: Vec::new(),
        command: String::new(),
        mode: LaunchMode::Service,
        count: 1,
        network: NetworkChoice::default(),
        scaling: None,
        address: Address::PublicIp,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scaling_is_checked_before_any_aws_call() {
        let ok = Scaling::default();
        assert!(validate_scaling(&ok).is_ok());
        let err = |s: Scaling| {
            let e = validate_scaling(&s).unwrap_err();
            (
                e.param("field").unwrap_or_default().to_owned(),
                e.param("rule").unwrap_or_default().to_owned(),
            )
        };
        assert_eq!(
            err(Scaling { min: 0, ..ok }),
            ("scalingMin".into(), "atLeastOne".into())
        );
        assert_eq!(
            err(Scaling {
                min: 4,
                max: 3,
                ..ok
            }),
            ("scalingMax".into(), "belowMin".into())
        );
        assert_eq!(
            err(Scaling { max: 11, ..ok }),
            ("scalingMax".into(), "range".into())
        );
        assert_eq!(
            err(Scaling {
                cpu_target: 95,
                ..ok
            }),
            ("scalingCpu".into(), "range".into())
        );
        assert_eq!(
            err(Scaling {
                cpu_target: 5,
                ..ok
            }),
            ("scalingCpu".into(), "range".into())
        );
    }

    #[test]
    fn a_scaling_service_starts_with_its_minimum_and_a_task_never_scales() {
        let mut c = default_choices("web", None);
        c.scaling = Some(Scaling {
            min: 2,
            max: 5,
            cpu_target: 50,
        });
        c.count = 1;
        assert_eq!(normalized(c.clone()).count, 2);
        c.mode = LaunchMode::Task;
        assert_eq!(normalized(c).scaling, None);
    }

    /// A rebuilt image pushed under the same tag has another digest: naming the digest makes its
    /// task definition differ, so the launch registers it and ECS deploys it.
    #[test]
    fn the_image_is_named_by_its_digest() {
        let repo = "123456789012.dkr.ecr.us-east-1.amazonaws.com/team/web";
        let digest = format!("sha256:{}", "a".repeat(64));
        assert_eq!(
            pinned(&format!("{repo}:v1"), &digest),
            format!("{repo}@{digest}")
        );
        assert_eq!(
            pinned("127.0.0.1:5001/web:v1", &digest),
            format!("127.0.0.1:5001/web@{digest}")
        );
        assert_eq!(pinned(&format!("{repo}:v1"), ""), format!("{repo}:v1"));
    }

    #[test]
    fn the_infrastructure_role_is_beside_the_execution_role() {
        assert_eq!(
            infrastructure_role_beside("arn:aws:iam::123456789012:role/ecsTaskExecutionRole")
                .as_deref(),
            Some("arn:aws:iam::123456789012:role/ecsInfrastructureRoleForExpressServices")
        );
        assert_eq!(
            infrastructure_role_beside("arn:aws-cn:iam::123456789012:role/x").as_deref(),
            Some("arn:aws-cn:iam::123456789012:role/ecsInfrastructureRoleForExpressServices")
        );
        assert_eq!(infrastructure_role_beside("ecsTaskExecutionRole"), None);
    }

    #[test]
    fn only_a_service_has_an_https_address() {
        let mut c = default_choices("web", None);
        c.address = Address::Https;
        assert_eq!(normalized(c.clone()).address, Address::Https);
        c.mode = LaunchMode::Task;
        assert_eq!(normalized(c).address, Address::PublicIp);
    }
}
