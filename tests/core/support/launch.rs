//! What the Launch tests share: an isolated AWS account in moto with an execution role and a
//! pushed image (the IAM and Image steps' results, made directly), collecting timelines, and a
//! snapshot of what exists in the account to compare end states.

use super::sdk;
use super::{isolated_account_in, unique};
use berth_core::aws::AwsClients;
use berth_core::settings::{PushedImage, WizardSettings};
use berth_core::wizard::launch::apply::{self, LaunchContext};
use berth_core::wizard::launch::record::{LaunchRecord, LaunchStore};
use berth_core::wizard::launch::shared::{SharedNames, SharedRemovals};
use berth_core::wizard::launch::teardown::{self, TeardownContext, TeardownPlan};
use berth_core::wizard::launch::timeline::{FollowOptions, LaunchEvent, Run};
use berth_core::wizard::launch::{default_choices, LaunchChoices, LaunchConfig, LaunchMode};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// An account with what the earlier steps leave: an execution role and a pushed image.
pub struct Fixture {
    pub clients: AwsClients,
    pub account: String,
    pub wizard: WizardSettings,
    pub app: String,
    pub store_dir: tempfile::TempDir,
}

const TRUST_POLICY: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;

/// What the earlier steps leave, some time ago: an account that has used ECS before (it has ECS's
/// service-linked role), an execution role IAM has made usable everywhere, the app's image
/// pushed.
pub async fn fixture(region: &str) -> Fixture {
    let f = new_account_fixture(region).await;
    super::give_ecs_linked_role(&f.account);
    f.wait_for_role().await;
    f
}

/// What the earlier steps leave just now, in an account that has never used ECS: no
/// service-linked role yet, and an execution role IAM is still propagating.
pub async fn new_account_fixture(region: &str) -> Fixture {
    let (clients, account) = isolated_account_in(region).await;
    let role = sdk::iam(&clients)
        .create_role()
        .role_name("ecsTaskExecutionRole")
        .assume_role_policy_document(TRUST_POLICY)
        .send()
        .await
        .expect("create role");
    let role_arn = role.role().unwrap().arn().to_owned();
    let app = format!("web{}", unique() % 100_000);
    sdk::ecr(&clients)
        .create_repository()
        .repository_name(&app)
        .send()
        .await
        .expect("create repository");
    let digest = push_web_image(&app, "v1");
    let wizard = WizardSettings {
        execution_role_arn: Some(role_arn),
        repository: Some(app.clone()),
        image: Some(PushedImage {
            repository: app.clone(),
            tag: "v1".into(),
            digest,
            uri: format!("{account}.dkr.ecr.{region}.amazonaws.com/{app}:v1"),
            platform: "linux/amd64".into(),
            exposed_port: None,
        }),
        image_draft: None,
        deploy_user: None,
    };
    Fixture {
        clients,
        account,
        wizard,
        app,
        store_dir: tempfile::tempdir().unwrap(),
    }
}

/// A web server image: the stack's busybox serving HTTP on port 80 (a task that runs, as an app
/// does, until it is stopped). Built once per test process.
pub fn web_image() -> &'static str {
    static IMAGE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    IMAGE.get_or_init(|| {
        built(
            "berth-test/web:latest",
            &format!(
                "FROM {}\nRUN mkdir -p /www && echo berth-test-web > /www/index.html\n\
                 CMD [\"httpd\", \"-f\", \"-p\", \"80\", \"-h\", \"/www\"]\n",
                super::stack_var("BERTH_TEST_IMAGE")
            ),
        )
    })
}

/// A second version of the web image (the same server, one more label): another digest, as a new
/// build of the app has. Built once per test process.
pub fn web_image_v2() -> &'static str {
    static IMAGE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    IMAGE.get_or_init(|| {
        built(
            "berth-test/web:v2",
            &format!("FROM {}\nLABEL berth.test.version=2\n", web_image()),
        )
    })
}

/// `reference`, built by the docker CLI from `dockerfile` in an empty context.
fn built(reference: &str, dockerfile: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("Dockerfile"), dockerfile).unwrap();
    super::image::docker(&["build", "-q", "-t", reference, dir.path().to_str().unwrap()]);
    reference.to_owned()
}

/// Pushes `image` to the stack's registry as `repository:tag` (where the backend's ECR finds
/// the account's repository of that name) with the docker CLI, logged in with a config of its
/// own; the digest the registry serves.
pub fn push_to_registry(image: &str, repository: &str, tag: &str) -> String {
    let registry = super::stack_var("BERTH_TEST_REGISTRY");
    let user = super::stack_var("BERTH_TEST_REGISTRY_USER");
    let password = super::stack_var("BERTH_TEST_REGISTRY_PASSWORD");
    push_with_login(&registry, &user, &password, image, repository, tag)
}

/// Pushes `image` as `repository:tag` to `registry`, logged in as `user`; the digest it serves.
pub fn push_with_login(
    registry: &str,
    user: &str,
    password: &str,
    image: &str,
    repository: &str,
    tag: &str,
) -> String {
    let config = tempfile::tempdir().unwrap();
    let docker = |args: &[&str], stdin: Option<&str>| {
        use std::io::Write;
        let mut child = std::process::Command::new("docker")
            .arg("--config")
            .arg(config.path())
            .args(args)
            .env("DOCKER_HOST", super::stack_var("DOCKER_HOST"))
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("the docker CLI runs");
        let mut input = child.stdin.take().unwrap();
        if let Some(text) = stdin {
            input.write_all(text.as_bytes()).unwrap();
        }
        drop(input);
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "docker {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let target = format!("{registry}/{repository}:{tag}");
    docker(
        &["login", "-u", user, "--password-stdin", registry],
        Some(password),
    );
    docker(&["tag", image, &target], None);
    docker(&["push", &target], None);
    docker(&["rmi", &target], None);
    super::image::registry_digest(registry, repository, tag, user, password)
        .expect("the registry serves what was pushed")
}

/// Pushes [`web_image`] as the app's `repository:tag`; its digest.
pub fn push_web_image(repository: &str, tag: &str) -> String {
    push_to_registry(web_image(), repository, tag)
}

impl Fixture {
    /// Waits until IAM has made the execution role usable (AWS: eventually consistent, usually
    /// seconds; the backend: `iam_propagation_s`), asking STS to assume it until it may.
    pub async fn wait_for_role(&self) {
        let role = self.wizard.execution_role_arn.clone().unwrap();
        let started = std::time::Instant::now();
        while let Err(e) = sdk::sts(&self.clients)
            .assume_role()
            .role_arn(&role)
            .role_session_name("berth-test-wait")
            .send()
            .await
        {
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "{role} never became usable: {e:?}"
            );
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

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
            store: &store,
            run,
            follow: fast_follow(),
        };
        // On the heap, as the app's job runner has it: a launch's future is too big for a test
        // thread's stack in a debug build.
        Box::pin(apply::launch(&ctx, config.clone())).await
    }

    /// Tears `app` down to the end, with a fast poll, removing of `shared` what `remove` says.
    pub async fn tear_down(
        &self,
        app: &str,
        shared: &SharedNames,
        remove: SharedRemovals,
    ) -> (TeardownPlan, Vec<LaunchEvent>) {
        let timeline = Timeline::new();
        let plan = self.tear_down_on(&timeline, app, shared, remove).await;
        (plan, timeline.events())
    }

    /// Tears `app` down like [`Fixture::tear_down`], telling `timeline` each event.
    pub async fn tear_down_on(
        &self,
        timeline: &Timeline,
        app: &str,
        shared: &SharedNames,
        remove: SharedRemovals,
    ) -> TeardownPlan {
        let run = timeline.run();
        let store = self.store();
        let ctx = TeardownContext {
            clients: &self.clients,
            store: &store,
            run: &run,
            wait: fast_follow(),
            shared: shared.clone(),
            remove,
        };
        // On the heap, like a launch (see `launch_with`).
        Box::pin(teardown::teardown(&ctx, app)).await.unwrap()
    }
}

/// Polls quickly. The backend's tasks really start (a container on the engine): well within a
/// minute, so giving up then means something is wrong.
pub fn fast_follow() -> FollowOptions {
    FollowOptions {
        poll: Duration::from_millis(100),
        slow_after: Duration::from_secs(600),
        give_up_after: Duration::from_secs(60),
        log_lines: 30,
        settle: Duration::from_millis(100),
    }
}

/// Collects a run's events; optionally cancels the run once it has seen `n` action events.
#[derive(Clone)]
pub struct Timeline {
    /// Each event with when it arrived, for tests about the order of work in the account.
    events: Arc<Mutex<Vec<(std::time::SystemTime, LaunchEvent)>>>,
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
                events.push((std::time::SystemTime::now(), event));
                let actions = events
                    .iter()
                    .filter(|(_, e)| matches!(e, LaunchEvent::Action { .. }))
                    .count();
                if limit == Some(actions) {
                    cancel.cancel();
                }
            }),
            self.cancel.clone(),
        )
    }

    pub fn events(&self) -> Vec<LaunchEvent> {
        self.stamped().into_iter().map(|(_, e)| e).collect()
    }

    pub fn stamped(&self) -> Vec<(std::time::SystemTime, LaunchEvent)> {
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
    let ecs = sdk::ecs(clients);
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

    let logs = sdk::logs(clients);
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
    for g in sdk::ec2(clients)
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

/// Whether an HTTP server answers at `url` (curl, any status).
pub fn answers_http(url: &str) -> bool {
    let out = std::process::Command::new("curl")
        .args([
            "-s",
            "--noproxy",
            "*",
            "-m",
            "5",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
            url,
        ])
        .output()
        .expect("curl runs");
    let code = String::from_utf8_lossy(&out.stdout).into_owned();
    code.len() == 3 && code != "000"
}
