//! Wizard step 5, Launch: run the pushed image on Fargate.
//!
//! `desired` is the state the user's choices ask for; `ensure` has one module per resource, each
//! with an inspection (read-only) and an ensure (look, then act). `plan` runs the inspections and
//! says what a launch will create or reuse (with the CLI equivalents and the cost) without
//! changing anything; `apply` runs the ensures in order and streams one timeline event per
//! action, then `timeline` follows the task to RUNNING (or explains why it stopped, with
//! `explain`). `record` keeps a record of each launch so a restart can resume or tear it down;
//! `teardown` removes exactly what carries Berth's tags.

pub mod apply;
pub mod context;
pub mod desired;
pub mod ensure;
pub mod explain;
pub mod kinds;
pub mod network;
pub mod open;
pub mod plan;
pub mod preflight;
pub mod record;
pub mod teardown;
pub mod timeline;

use crate::aws::AwsClients;
use crate::error::{BerthError, Result};
use crate::fargate::{self, Architecture, FargateCpu};
use crate::pricing::{self, CostEstimate, CostInput, PriceSource};
use crate::settings::{PushedImage, Settings, WizardSettings};
use record::{LaunchRecord, LaunchStore};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The one cluster every Berth app runs in (made by Berth unless it exists already).
pub const CLUSTER: &str = "berth";
/// How long the log group keeps lines: enough to debug a first run, cheap to keep.
pub const LOG_RETENTION_DAYS: i32 = 7;
/// The awslogs stream prefix: streams are `ecs/<container>/<task id>`.
pub const LOG_STREAM_PREFIX: &str = "ecs";
/// `startedBy` of the tasks Berth runs itself (one-off tasks).
pub const STARTED_BY: &str = "berth";
/// RunTask starts at most 10 tasks per call; a first service needs no more either.
pub const MAX_COUNT: u32 = 10;
const MAX_APP_LEN: usize = 32;
const MAX_ENV_VARS: usize = 50;

/// A long-running service (restarted when it stops) or a task that runs once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum LaunchMode {
    Service,
    Task,
}

/// One environment variable of the container.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct EnvVar {
    pub name: String,
    pub value: String,
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
        let config = LaunchConfig {
            choices: normalized(choices),
            image: image.uri.clone(),
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
        .retain(|v| !(v.name.is_empty() && v.value.is_empty()));
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

    /// The log stream the awslogs driver writes a task's container output to.
    pub fn log_stream(&self, task_id: &str) -> String {
        format!("{LOG_STREAM_PREFIX}/{}/{task_id}", self.container)
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
    if c.count == 0 || c.count > MAX_COUNT {
        return Err(BerthError::invalid("count", "range").with("max", MAX_COUNT.to_string()));
    }
    if let Ingress::Cidr { cidr } = &c.network.ingress {
        validate_cidr(cidr)?;
    }
    if c.network.vpc_id.is_some() && c.network.subnet_ids.is_empty() {
        return Err(BerthError::invalid("subnets", "required"));
    }
    Ok(())
}

/// Splits a command line into words the way a POSIX shell would (quotes and backslashes), so
/// `sh -c "echo hi"` becomes `["sh", "-c", "echo hi"]`.
pub fn split_command(line: &str) -> Result<Vec<String>> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => word.push(c),
                        None => return Err(BerthError::invalid("command", "quotes")),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c @ ('"' | '\\' | '$' | '`')) => word.push(c),
                            Some(c) => {
                                word.push('\\');
                                word.push(c);
                            }
                            None => return Err(BerthError::invalid("command", "quotes")),
                        },
                        Some(c) => word.push(c),
                        None => return Err(BerthError::invalid("command", "quotes")),
                    }
                }
            }
            '\\' => {
                in_word = true;
                match chars.next() {
                    Some(c) => word.push(c),
                    None => return Err(BerthError::invalid("command", "quotes")),
                }
            }
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    Ok(words)
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
    }
}

/// Everything the Launch page starts from.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LaunchOverview {
    pub region: Option<String>,
    pub practice: bool,
    /// What the earlier steps left ready (missing ones send the user back to them).
    pub image: Option<PushedImage>,
    pub execution_role_arn: Option<String>,
    /// Every valid Fargate size.
    pub sizes: Vec<FargateCpu>,
    /// The form's starting values: the last launch of this app, else Berth's defaults.
    pub choices: LaunchChoices,
    /// Every remembered launch, most recent first.
    pub records: Vec<LaunchRecord>,
    /// Regions Berth has Fargate prices for, and where they come from.
    pub priced_regions: Vec<String>,
    pub prices: PriceSource,
}

/// Builds the Launch page's starting point from the settings and the saved launch records.
pub fn overview(settings: &Settings, store: &LaunchStore) -> LaunchOverview {
    let wizard = &settings.wizard;
    let records = store.list();
    let repository = wizard
        .image
        .as_ref()
        .map(|i| i.repository.clone())
        .or_else(|| wizard.repository.clone());
    let app = repository
        .as_deref()
        .map(app_name_from_repository)
        .unwrap_or_else(|| "app".to_owned());
    let platform = wizard.image.as_ref().map(|i| i.platform.as_str());
    // The last launch of this app (or the last launch at all) is the best guess of what the
    // user wants now; the image's platform still decides the architecture.
    let choices = records
        .iter()
        .find(|r| r.app == app)
        .or_else(|| records.first())
        .map(|r| {
            let mut c = r.config.choices.clone();
            if let Some(a) = platform.and_then(Architecture::for_platform) {
                c.architecture = a;
            }
            c
        })
        .unwrap_or_else(|| default_choices(&app, platform));
    LaunchOverview {
        region: settings.account.region.clone(),
        practice: settings.account.practice.enabled,
        image: wizard.image.clone(),
        execution_role_arn: wizard.execution_role_arn.clone(),
        sizes: fargate::sizes(),
        choices,
        records,
        priced_regions: pricing::FARGATE_REGION_PRICES
            .iter()
            .map(|p| p.region.to_owned())
            .collect(),
        prices: pricing::FARGATE_PRICES,
    }
}

/// The cost estimate for `choices` in `region` (`None` where Berth has no prices).
pub fn estimate(region: &str, choices: &LaunchChoices) -> Option<CostEstimate> {
    pricing::fargate_estimate(&CostInput {
        region,
        architecture: choices.architecture,
        cpu: choices.cpu,
        memory: choices.memory,
        count: choices.count,
        public_ip: choices.network.public_ip,
    })
}

/// Refuses to resume or tear down a launch made in another region or against another endpoint
/// than the Account step now points at: the resources would not be found there.
pub fn check_target(record: &LaunchRecord, clients: &AwsClients) -> Result<()> {
    if record.region != clients.region() || record.endpoint_url.as_deref() != clients.endpoint_url()
    {
        return Err(BerthError::invalid("account", "otherTarget")
            .with("region", &record.region)
            .with(
                "target",
                record
                    .endpoint_url
                    .clone()
                    .unwrap_or_else(|| "AWS".to_owned()),
            ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wizard(platform: &str) -> WizardSettings {
        WizardSettings {
            execution_role_arn: Some("arn:aws:iam::123456789012:role/ecsTaskExecutionRole".into()),
            repository: Some("web".into()),
            image: Some(PushedImage {
                repository: "web".into(),
                tag: "v1".into(),
                digest: "sha256:abc".into(),
                uri: "123456789012.dkr.ecr.us-east-1.amazonaws.com/web:v1".into(),
                platform: platform.into(),
            }),
        }
    }

    fn rule_of(choices: LaunchChoices) -> Option<(String, String)> {
        LaunchConfig::new(choices, &wizard("linux/amd64"))
            .err()
            .map(|e| {
                (
                    e.param("field").unwrap_or_default().to_owned(),
                    e.param("rule").unwrap_or_default().to_owned(),
                )
            })
    }

    fn with(change: impl FnOnce(&mut LaunchChoices)) -> Option<(String, String)> {
        let mut c = default_choices("web", Some("linux/amd64"));
        change(&mut c);
        rule_of(c)
    }

    fn rule(field: &str, rule: &str) -> Option<(String, String)> {
        Some((field.to_owned(), rule.to_owned()))
    }

    #[test]
    fn the_defaults_are_a_valid_launch() {
        assert_eq!(with(|_| {}), None);
        let config =
            LaunchConfig::new(default_choices("web", None), &wizard("linux/amd64")).unwrap();
        assert_eq!(config.image_platform.as_deref(), Some("linux/amd64"));
        assert_eq!(config.names().log_group, "/berth/web");
        assert_eq!(config.names().security_group, "berth-web");
        assert_eq!(config.names().log_stream("abc"), "ecs/web/abc");
    }

    #[test]
    fn missing_earlier_steps_are_named() {
        let mut w = wizard("linux/amd64");
        w.execution_role_arn = None;
        let err = LaunchConfig::new(default_choices("web", None), &w).unwrap_err();
        assert_eq!(err.param("field"), Some("executionRole"));
        let mut w = wizard("linux/amd64");
        w.image = None;
        let err = LaunchConfig::new(default_choices("web", None), &w).unwrap_err();
        assert_eq!(err.param("field"), Some("image"));
    }

    #[test]
    fn bad_sizes_ports_and_names_are_rejected_before_any_call() {
        assert_eq!(with(|c| c.memory = 4096), rule("memory", "fargateMemory"));
        assert_eq!(with(|c| c.cpu = 300), rule("cpu", "fargateCpu"));
        assert_eq!(with(|c| c.port = 0), rule("port", "range"));
        assert_eq!(with(|c| c.app = "".into()), rule("app", "required"));
        assert_eq!(with(|c| c.app = "Web".into()), rule("app", "characters"));
        assert_eq!(with(|c| c.app = "-web".into()), rule("app", "characters"));
        assert_eq!(
            with(|c| c.app = "web_app".into()),
            rule("app", "characters")
        );
        assert_eq!(with(|c| c.app = "a".repeat(33)), rule("app", "tooLong"));
        assert_eq!(with(|c| c.count = 0), rule("count", "range"));
        assert_eq!(with(|c| c.count = 11), rule("count", "range"));
        assert_eq!(
            with(|c| c.architecture = Architecture::Arm64),
            rule("architecture", "platformMismatch")
        );
        assert_eq!(
            with(|c| c.command = "sh -c 'echo".into()),
            rule("command", "quotes")
        );
        assert_eq!(
            with(|c| c.network.ingress = Ingress::Cidr {
                cidr: "10.0.0.1".into()
            }),
            rule("cidr", "format")
        );
        assert_eq!(
            with(|c| c.network.vpc_id = Some("vpc-1".into())),
            rule("subnets", "required")
        );
    }

    #[test]
    fn environment_variable_names_follow_shell_rules() {
        let env = |names: &[&str]| {
            with(|c| {
                c.environment = names
                    .iter()
                    .map(|n| EnvVar {
                        name: (*n).into(),
                        value: "v".into(),
                    })
                    .collect()
            })
        };
        assert_eq!(env(&["PORT", "_X", "db_url2"]), None);
        assert_eq!(env(&["1ST"]), rule("envName", "characters"));
        assert_eq!(env(&["MY-VAR"]), rule("envName", "characters"));
        assert_eq!(env(&["MY VAR"]), rule("envName", "characters"));
        assert_eq!(env(&["ÜBER"]), rule("envName", "characters"));
        assert_eq!(env(&["A", "A"]), rule("envName", "duplicate"));
        assert_eq!(
            env(&["ECS_CONTAINER_METADATA_URI"]),
            rule("envName", "reserved")
        );
        assert_eq!(env(&[" "]), rule("envName", "required"));
        // A completely empty row is just an unused row of the form.
        let mut c = default_choices("web", None);
        c.environment.push(EnvVar {
            name: String::new(),
            value: String::new(),
        });
        let config = LaunchConfig::new(c, &wizard("linux/amd64")).unwrap();
        assert!(config.choices.environment.is_empty());
        let err = {
            let mut c = default_choices("web", None);
            c.environment = vec![
                EnvVar {
                    name: "OK".into(),
                    value: "1".into(),
                },
                EnvVar {
                    name: "NOT OK".into(),
                    value: "2".into(),
                },
            ];
            LaunchConfig::new(c, &wizard("linux/amd64")).unwrap_err()
        };
        assert_eq!(err.param("index"), Some("1"), "the UI marks the right row");
    }

    #[test]
    fn cidrs_are_ipv4_ranges() {
        for ok in ["0.0.0.0/0", "203.0.113.7/32", "10.0.0.0/8"] {
            assert!(validate_cidr(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "10.0.0.1",
            "10.0.0.1/33",
            "10.0.0/24",
            "::1/128",
            "10.0.0.1/+8",
            "a/b",
        ] {
            assert!(validate_cidr(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn commands_split_like_a_shell() {
        assert_eq!(split_command("").unwrap(), Vec::<String>::new());
        assert_eq!(
            split_command(r#"sh -c "echo \"hi\" there"  'a b'"#).unwrap(),
            ["sh", "-c", r#"echo "hi" there"#, "a b"]
        );
        assert_eq!(split_command(r"a\ b ''").unwrap(), ["a b", ""]);
        assert!(split_command("\"open").is_err());
    }

    #[test]
    fn app_names_come_from_the_repository() {
        assert_eq!(app_name_from_repository("web"), "web");
        assert_eq!(app_name_from_repository("team/Web.App_1"), "web-app-1");
        assert_eq!(app_name_from_repository("__"), "app");
        assert!(validate_app(&app_name_from_repository(&"x".repeat(100))).is_ok());
    }
}
