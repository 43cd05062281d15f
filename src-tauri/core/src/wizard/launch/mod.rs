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
mod choices;
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
pub mod secrets;
pub mod shared;
pub mod teardown;
pub mod timeline;
pub mod verdict;

use crate::aws::AwsClients;
use crate::error::{BerthError, Result};
use crate::fargate::{self, Architecture, FargateCpu};
use crate::pricing::{self, CostEstimate, CostInput, PriceSource};
use crate::settings::{PushedImage, Settings};
pub use choices::*;
use record::{LaunchRecord, LaunchStore};
use serde::Serialize;
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
    /// What a stable HTTPS address's load balancer costs an hour in the region (`None` where
    /// Berth has no price for it).
    pub load_balancer_per_hour: Option<f64>,
}

/// Builds the Launch page's starting point from the settings and the saved launch records.
pub fn overview(settings: &Settings, store: &LaunchStore) -> LaunchOverview {
    let wizard = settings.wizard();
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
        .unwrap_or_else(|| {
            let mut c = default_choices(&app, platform);
            // On AWS a wrong port is an unreachable app: start from the one the image exposes.
            if let Some(port) = wizard.image.as_ref().and_then(|i| i.exposed_port) {
                c.port = port;
            }
            c
        });
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
        prices: settings
            .account
            .region
            .as_deref()
            .map_or_else(pricing::fargate_source, pricing::fargate_source_in),
        load_balancer_per_hour: settings
            .account
            .region
            .as_deref()
            .and_then(pricing::load_balancer_hour),
    }
}

/// The cost estimate for `choices` in `region` (`None` where Berth has no prices).
/// A service that scales itself is estimated from its minimum to its maximum count; one with a
/// stable HTTPS address includes its load balancer.
pub fn estimate(region: &str, choices: &LaunchChoices) -> Option<CostEstimate> {
    let scaling = choices
        .scaling
        .filter(|_| choices.mode == LaunchMode::Service);
    let express = choices.mode == LaunchMode::Service && choices.address == Address::Https;
    let estimate = pricing::fargate_estimate(&CostInput {
        region,
        architecture: choices.architecture,
        cpu: choices.cpu,
        memory: choices.memory,
        count: scaling.map_or(choices.count, |s| s.min),
        // Express Mode's tasks get a public IP in the default VPC's public subnets.
        public_ip: choices.network.public_ip || express,
        max_count: scaling.map(|s| s.max),
    })?;
    // A stable HTTPS address runs behind a load balancer, billed by the hour.
    Some(if express {
        estimate.with_load_balancer()
    } else {
        estimate
    })
}

/// Refuses to resume or tear down a launch made in another region or against another endpoint
/// than the Account step now points at: the resources would not be found there.
pub fn check_target(record: &LaunchRecord, clients: &AwsClients) -> Result<()> {
    if record.region != clients.region() || record.endpoint_url.as_deref() != clients.target_id() {
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
    use crate::settings::WizardSettings;

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
                exposed_port: None,
            }),
            image_draft: None,
            deploy_user: None,
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
    }

    #[test]
    fn a_task_log_stream_names_the_task_own_container() {
        use crate::aws::ecs::{ContainerState, Task};
        let names = Names::of("web");
        let task = |containers: &[&str]| Task {
            arn: "arn:aws:ecs:us-east-1:1:task/berth/abc".into(),
            id: "abc".into(),
            task_definition: String::new(),
            last_status: "STOPPED".into(),
            desired_status: "STOPPED".into(),
            stopped_reason: None,
            stop_code: None,
            health_status: None,
            containers: containers
                .iter()
                .map(|name| ContainerState {
                    name: (*name).into(),
                    last_status: "STOPPED".into(),
                    exit_code: None,
                    reason: None,
                })
                .collect(),
            eni: None,
            private_ip: None,
            started_by: None,
            group: None,
            created_at: None,
        };
        assert_eq!(names.log_stream(&task(&["web"])), "ecs/web/abc");
        // An Express service's task: ECS names its container Main.
        assert_eq!(names.log_stream(&task(&["Main"])), "ecs/Main/abc");
        // Not yet described: the container Berth named.
        assert_eq!(names.log_stream(&task(&[])), "ecs/web/abc");
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
                        secret: false,
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
            secret: false,
        });
        let config = LaunchConfig::new(c, &wizard("linux/amd64")).unwrap();
        assert!(config.choices.environment.is_empty());
        let err = {
            let mut c = default_choices("web", None);
            c.environment = vec![
                EnvVar {
                    name: "OK".into(),
                    value: "1".into(),
                    secret: false,
                },
                EnvVar {
                    name: "NOT OK".into(),
                    value: "2".into(),
                    secret: false,
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

    /// A service needs its port open; a task that runs once is connected to by nobody, so the
    /// plan has no inbound rule for it (before, it opened TCP 80 to the whole internet).
    #[tokio::test]
    async fn only_a_service_gets_an_inbound_rule() {
        use crate::aws::{AwsTarget, CredentialSource};
        use aws_credential_types::provider::SharedCredentialsProvider;
        use aws_credential_types::Credentials;
        let clients = AwsClients::new(
            &AwsTarget {
                region: "us-east-1".into(),
                endpoint_url: Some("http://127.0.0.1:9".into()),
            },
            CredentialSource::Provider(SharedCredentialsProvider::new(Credentials::new(
                "TESTBERTHKEYID000001",
                "not-a-secret",
                None,
                None,
                "test",
            ))),
        )
        .await;
        let net = network::ResolvedNetwork {
            vpc_id: "vpc-1".into(),
            subnets: Vec::new(),
        };
        let rule_for = |mode: LaunchMode| {
            let mut c = default_choices("web", Some("linux/amd64"));
            c.mode = mode;
            c.port = 3000;
            let config = LaunchConfig::new(c, &wizard("linux/amd64")).unwrap();
            let d = desired::Desired::with_network(&clients, &config, net.clone());
            ensure::security_group::inspect_rule(&clients, &d, None).map(|item| item.name)
        };
        assert_eq!(
            rule_for(LaunchMode::Service).as_deref(),
            Some("tcp 3000 ← 0.0.0.0/0")
        );
        assert_eq!(rule_for(LaunchMode::Task), None);
    }

    /// Issue 18 item 4: with `EXPOSE 3000` the Launch page starts at port 3000, not 80.
    #[test]
    fn the_port_starts_as_the_one_the_image_exposes() {
        let dir = tempfile::tempdir().unwrap();
        let store = LaunchStore::in_dir(dir.path());
        let mut settings = Settings {
            aws_wizard: wizard("linux/amd64"),
            ..Settings::default()
        };
        assert_eq!(overview(&settings, &store).choices.port, 80);
        settings.wizard_mut().image.as_mut().unwrap().exposed_port = Some(3000);
        assert_eq!(overview(&settings, &store).choices.port, 3000);
    }

    /// Issue 17: a stable HTTPS address is for the default VPC, open to everyone, and costs its
    /// load balancer on top.
    #[test]
    fn an_https_address_is_checked_and_priced() {
        let https = |change: fn(&mut LaunchChoices)| {
            with(|c| {
                c.address = Address::Https;
                change(c)
            })
        };
        assert_eq!(https(|_| {}), None);
        assert_eq!(
            https(|c| {
                c.network.vpc_id = Some("vpc-1".into());
                c.network.subnet_ids = vec!["subnet-1".into()];
            }),
            rule("address", "defaultVpcOnly")
        );
        assert_eq!(
            https(|c| c.network.ingress = Ingress::Cidr {
                cidr: "10.0.0.1/32".into()
            }),
            rule("address", "openToEveryone")
        );
        let mut c = default_choices("web", Some("linux/amd64"));
        let plain = estimate("us-east-1", &c).unwrap();
        c.address = Address::Https;
        let express = estimate("us-east-1", &c).unwrap();
        assert!(express.load_balancer && !plain.load_balancer);
        assert!((express.per_month - plain.per_month - 16.425).abs() < 0.01);
        let config = LaunchConfig::new(c, &wizard("linux/amd64")).unwrap();
        assert!(config.is_express());
        assert_eq!(
            config.infrastructure_role_arn.as_deref(),
            Some("arn:aws:iam::123456789012:role/ecsInfrastructureRoleForExpressServices")
        );
    }
}
