//! What the Launch tests share: an isolated AWS account in moto with an execution role and a
//! pushed image (the IAM and Image steps' results, made directly), collecting timelines, and a
//! snapshot of what exists in the account to compare end states.

use super::{isolated_account_in, moto_url, unique};
use berth_core::activity::ActivityLog;
use berth_core::aws::AwsClients;
use berth_core::settings::{PushedImage, WizardSettings};
use berth_core::wizard::launch::apply::{self, LaunchContext};
use berth_core::wizard::launch::record::{LaunchRecord, LaunchStore};
use berth_core::wizard::launch::timeline::{FollowOptions, LaunchEvent, Run};
use berth_core::wizard::launch::{default_choices, LaunchChoices, LaunchConfig, LaunchMode};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// moto moves a task one state further on every DescribeTasks call (RUNNING → DEACTIVATING →
/// … → STOPPED), which no real task does; keep tasks RUNNING until they are stopped.
pub async fn moto_keeps_tasks_running() {
    let body =
        r#"{"model_name": "ecs::task", "transition": {"progression": "manual", "times": 1000000}}"#;
    let status = tokio::process::Command::new("curl")
        .args(["-sf", "-o", "/dev/null", "-X", "POST", "--data-raw", body])
        .arg(format!(
            "{}/moto-api/state-manager/set-transition",
            moto_url()
        ))
        .status()
        .await
        .unwrap();
    assert!(status.success(), "moto's set-transition failed");
}

/// An account with what the earlier steps leave: an execution role and a pushed image.
pub struct Fixture {
    pub clients: AwsClients,
    pub account: String,
    pub wizard: WizardSettings,
    pub app: String,
    pub store_dir: tempfile::TempDir,
    pub log: ActivityLog,
}

const TRUST_POLICY: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;

pub async fn fixture(region: &str) -> Fixture {
    moto_keeps_tasks_running().await;
    let (clients, account) = isolated_account_in(region).await;
    let role = clients
        .iam()
        .create_role()
        .role_name("ecsTaskExecutionRole")
        .assume_role_policy_document(TRUST_POLICY)
        .send()
        .await
        .expect("create role");
    let role_arn = role.role().unwrap().arn().to_owned();
    let app = format!("web{}", unique() % 100_000);
    clients
        .ecr()
        .create_repository()
        .repository_name(&app)
        .send()
        .await
        .expect("create repository");
    let manifest = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 10, "digest": "sha256:0000000000000000000000000000000000000000000000000000000000000001"},
        "layers": []
    });
    clients
        .ecr()
        .put_image()
        .repository_name(&app)
        .image_tag("v1")
        .image_manifest(manifest.to_string())
        .send()
        .await
        .expect("put image");
    let wizard = WizardSettings {
        execution_role_arn: Some(role_arn),
        repository: Some(app.clone()),
        image: Some(PushedImage {
            repository: app.clone(),
            tag: "v1".into(),
            digest: "sha256:0000000000000000000000000000000000000000000000000000000000000001"
                .into(),
            uri: format!("{account}.dkr.ecr.{region}.amazonaws.com/{app}:v1"),
            platform: "linux/amd64".into(),
            exposed_port: None,
        }),
    };
    Fixture {
        clients,
        account,
        wizard,
        app,
        store_dir: tempfile::tempdir().unwrap(),
        log: ActivityLog::in_memory(),
    }
}

impl Fixture {
    pub fn choices(&self, mode: LaunchMode) -> LaunchChoices {
        let mut c = default_choices(&self.app, Some("linux/amd64"));
        c.mode = mode;
        c
    }

    pub fn config(&self, choices: LaunchChoices) -> LaunchConfig {
        LaunchConfig::new(choices, &self.wizard).expect("valid choices")
    }

    pub fn store(&self) -> LaunchStore {
        LaunchStore::in_dir(self.store_dir.path())
    }

    /// Launches `config` to the end, with a fast poll.
    pub async fn launch(
        &self,
        config: &LaunchConfig,
    ) -> (berth_core::Result<LaunchRecord>, Vec<LaunchEvent>) {
        let timeline = Timeline::new();
        let result = self.launch_with(config, &timeline.run()).await;
        (result, timeline.events())
    }

    pub async fn launch_with(
        &self,
        config: &LaunchConfig,
        run: &Run,
    ) -> berth_core::Result<LaunchRecord> {
        let store = self.store();
        let ctx = LaunchContext {
            clients: &self.clients,
            log: &self.log,
            store: &store,
            run,
            follow: fast_follow(),
        };
        apply::launch(&ctx, config.clone()).await
    }
}

/// Polls quickly, and stops waiting soon: moto's services never start tasks.
pub fn fast_follow() -> FollowOptions {
    FollowOptions {
        poll: Duration::from_millis(20),
        slow_after: Duration::from_secs(600),
        give_up_after: Duration::from_millis(600),
        log_lines: 30,
        settle: Duration::from_millis(100),
    }
}

/// Collects a run's events; optionally cancels the run once it has seen `n` action events.
#[derive(Clone)]
pub struct Timeline {
    events: Arc<Mutex<Vec<LaunchEvent>>>,
    cancel: CancellationToken,
    cancel_after_actions: Option<usize>,
}

impl Timeline {
    pub fn new() -> Self {
        Timeline {
            events: Arc::new(Mutex::new(Vec::new())),
            cancel: CancellationToken::new(),
            cancel_after_actions: None,
        }
    }

    /// Interrupts the run right after its `n`-th completed action, as closing the app would.
    pub fn interrupted_after(n: usize) -> Self {
        Timeline {
            cancel_after_actions: Some(n),
            ..Timeline::new()
        }
    }

    pub fn run(&self) -> Run {
        let events = self.events.clone();
        let cancel = self.cancel.clone();
        let limit = self.cancel_after_actions;
        Run::new(
            Arc::new(move |event: LaunchEvent| {
                let mut events = events.lock().unwrap();
                events.push(event);
                let actions = events
                    .iter()
                    .filter(|e| matches!(e, LaunchEvent::Action { .. }))
                    .count();
                if limit == Some(actions) {
                    cancel.cancel();
                }
            }),
            self.cancel.clone(),
        )
    }

    pub fn events(&self) -> Vec<LaunchEvent> {
        self.events.lock().unwrap().clone()
    }
}

/// A security group: name, inbound rules (port, range), and whether it carries Berth's tags.
pub type GroupShape = (String, Vec<(u16, String)>, bool);

/// What exists in an account, by name and shape (ids differ between accounts).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    /// ACTIVE clusters, with whether they carry Berth's tag.
    pub clusters: Vec<(String, bool)>,
    /// Log groups with their retention and whether Berth's.
    pub log_groups: Vec<(String, Option<i32>, bool)>,
    /// Security groups other than `default`, with their inbound rules and whether Berth's.
    pub security_groups: Vec<GroupShape>,
    /// ACTIVE task definitions as `family:revision`.
    pub task_definitions: Vec<String>,
    /// ACTIVE services of every cluster: cluster, name, `family:revision`, desired count.
    pub services: Vec<(String, String, String, i32)>,
    /// Tasks that have not stopped, as `family:revision`.
    pub running_tasks: Vec<String>,
}

fn berths(tags: impl IntoIterator<Item = (String, String)>) -> bool {
    tags.into_iter()
        .any(|(k, v)| k == "berth:managed" && v == "true")
}

fn short(arn: &str) -> String {
    arn.rsplit('/').next().unwrap_or(arn).to_owned()
}

pub async fn snapshot(clients: &AwsClients) -> Snapshot {
    let ecs = clients.ecs();
    let cluster_arns = ecs
        .list_clusters()
        .send()
        .await
        .unwrap()
        .cluster_arns()
        .to_vec();
    let mut clusters = Vec::new();
    let mut services = Vec::new();
    let mut running_tasks = Vec::new();
    if !cluster_arns.is_empty() {
        let out = ecs
            .describe_clusters()
            .set_clusters(Some(cluster_arns))
            .include(aws_sdk_ecs::types::ClusterField::Tags)
            .send()
            .await
            .unwrap();
        for c in out
            .clusters()
            .iter()
            .filter(|c| c.status() == Some("ACTIVE"))
        {
            let name = c.cluster_name().unwrap().to_owned();
            let tags = c
                .tags()
                .iter()
                .map(|t| (t.key().unwrap().to_owned(), t.value().unwrap().to_owned()));
            clusters.push((name.clone(), berths(tags)));
            let arns = ecs
                .list_services()
                .cluster(&name)
                .send()
                .await
                .unwrap()
                .service_arns()
                .to_vec();
            if !arns.is_empty() {
                let out = ecs
                    .describe_services()
                    .cluster(&name)
                    .set_services(Some(arns))
                    .send()
                    .await
                    .unwrap();
                for s in out
                    .services()
                    .iter()
                    .filter(|s| s.status() == Some("ACTIVE"))
                {
                    services.push((
                        name.clone(),
                        s.service_name().unwrap().to_owned(),
                        short(s.task_definition().unwrap()),
                        s.desired_count(),
                    ));
                }
            }
            let arns = ecs
                .list_tasks()
                .cluster(&name)
                .send()
                .await
                .unwrap()
                .task_arns()
                .to_vec();
            if !arns.is_empty() {
                let out = ecs
                    .describe_tasks()
                    .cluster(&name)
                    .set_tasks(Some(arns))
                    .send()
                    .await
                    .unwrap();
                for t in out
                    .tasks()
                    .iter()
                    .filter(|t| t.last_status() != Some("STOPPED"))
                {
                    running_tasks.push(short(t.task_definition_arn().unwrap()));
                }
            }
        }
    }
    let mut task_definitions: Vec<String> = ecs
        .list_task_definitions()
        .status(aws_sdk_ecs::types::TaskDefinitionStatus::Active)
        .send()
        .await
        .unwrap()
        .task_definition_arns()
        .iter()
        .map(|a| short(a))
        .collect();

    let logs = clients.logs();
    let mut log_groups = Vec::new();
    for g in logs
        .describe_log_groups()
        .send()
        .await
        .unwrap()
        .log_groups()
    {
        let arn = g.log_group_arn().unwrap().to_owned();
        let tags = logs
            .list_tags_for_resource()
            .resource_arn(&arn)
            .send()
            .await
            .unwrap();
        let tags = tags.tags().cloned().unwrap_or_default();
        log_groups.push((
            g.log_group_name().unwrap().to_owned(),
            g.retention_in_days(),
            berths(tags),
        ));
    }

    let mut security_groups = Vec::new();
    for g in clients
        .ec2()
        .describe_security_groups()
        .send()
        .await
        .unwrap()
        .security_groups()
    {
        let name = g.group_name().unwrap().to_owned();
        if name == "default" {
            continue;
        }
        let mut rules: Vec<(u16, String)> = g
            .ip_permissions()
            .iter()
            .flat_map(|p| {
                let port = p.from_port().unwrap_or(-1) as u16;
                p.ip_ranges()
                    .iter()
                    .map(move |r| (port, r.cidr_ip().unwrap().to_owned()))
            })
            .collect();
        rules.sort();
        let tags = g
            .tags()
            .iter()
            .map(|t| (t.key().unwrap().to_owned(), t.value().unwrap().to_owned()));
        security_groups.push((name, rules, berths(tags)));
    }

    clusters.sort();
    log_groups.sort();
    security_groups.sort();
    task_definitions.sort();
    services.sort();
    running_tasks.sort();
    Snapshot {
        clusters,
        log_groups,
        security_groups,
        task_definitions,
        services,
        running_tasks,
    }
}
