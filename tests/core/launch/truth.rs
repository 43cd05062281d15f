//! What a launch reports is what ECS says, against the strict backend whose scheduler runs
//! tasks as real containers: a container that exits a moment after RUNNING is a stopped launch,
//! not a running one (service and one-off task); a running service is one whose deployment
//! completed; and ECS's service-linked role is looked up before it is made.

use crate::support::{isolated_account_in, stack_var, unique};
use berth_core::activity::ActivityLog;
use berth_core::aws::iam::Iam;
use berth_core::aws::AwsClients;
use berth_core::jobs::Job;
use berth_core::settings::{PushedImage, WizardSettings};
use berth_core::wizard::launch::apply::{self, LaunchContext};
use berth_core::wizard::launch::record::{LaunchRecord, LaunchStatus, LaunchStore};
use berth_core::wizard::launch::timeline::{FollowOptions, LaunchEvent};
use berth_core::wizard::launch::{default_choices, LaunchConfig, LaunchMode};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

const REGION: &str = "us-east-1";

const TRUST_POLICY: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;

/// Builds an image FROM the stack's test base with `cmd`, pushes it to the registry standing in
/// for ECR as `<repository>:v1`, and answers its digest.
fn push_image(repository: &str, cmd: &[&str]) -> String {
    let registry = stack_var("BERTH_TEST_REGISTRY");
    let target = format!("{registry}/{repository}:v1");
    let config = tempfile::tempdir().unwrap();
    let docker = |args: &[&str], input: Option<&str>| -> String {
        let mut child = Command::new("docker")
            .arg("--config")
            .arg(config.path())
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("docker");
        if let Some(input) = input {
            use std::io::Write;
            child
                .stdin
                .take()
                .unwrap()
                .write_all(input.as_bytes())
                .unwrap();
        } else {
            drop(child.stdin.take());
        }
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "docker {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    };
    let dockerfile = format!(
        "FROM {}\nCMD {}\n",
        stack_var("BERTH_TEST_IMAGE"),
        serde_json::to_string(cmd).unwrap()
    );
    docker(&["build", "-q", "-t", &target, "-"], Some(&dockerfile));
    docker(
        &[
            "login",
            "-u",
            &stack_var("BERTH_TEST_REGISTRY_USER"),
            "--password-stdin",
            &registry,
        ],
        Some(&stack_var("BERTH_TEST_REGISTRY_PASSWORD")),
    );
    docker(&["push", "-q", &target], None);
    let digest = docker(
        &["inspect", "--format", "{{index .RepoDigests 0}}", &target],
        None,
    );
    docker(&["rmi", &target], None);
    digest.split('@').nth(1).expect("a digest").to_owned()
}

/// An account of the test's own with an execution role, a repository and a pushed image
/// whose container runs `cmd`.
struct Setup {
    clients: AwsClients,
    wizard: WizardSettings,
    app: String,
    store_dir: tempfile::TempDir,
}

async fn setup(cmd: &[&str]) -> Setup {
    let (clients, account) = isolated_account_in(REGION).await;
    let role = aws_sdk_iam::Client::new(clients.sdk_config())
        .create_role()
        .role_name("ecsTaskExecutionRole")
        .assume_role_policy_document(TRUST_POLICY)
        .send()
        .await
        .expect("create role");
    let role_arn = role.role().unwrap().arn().to_owned();
    let app = format!("truth{}", unique() % 1_000_000);
    aws_sdk_ecr::Client::new(clients.sdk_config())
        .create_repository()
        .repository_name(&app)
        .send()
        .await
        .expect("create repository");
    let digest = push_image(&app, cmd);
    let wizard = WizardSettings {
        execution_role_arn: Some(role_arn),
        repository: Some(app.clone()),
        image: Some(PushedImage {
            repository: app.clone(),
            tag: "v1".into(),
            digest,
            uri: format!("{account}.dkr.ecr.{REGION}.amazonaws.com/{app}:v1"),
            platform: "linux/amd64".into(),
            exposed_port: None,
        }),
        image_draft: None,
        deploy_user: None,
    };
    Setup {
        clients,
        wizard,
        app,
        store_dir: tempfile::tempdir().unwrap(),
    }
}

/// Watches as the app does, with a quicker poll and a bound that fails the test, not hangs it.
fn follow() -> FollowOptions {
    FollowOptions {
        poll: Duration::from_millis(500),
        give_up_after: Duration::from_secs(180),
        ..FollowOptions::default()
    }
}

impl Setup {
    async fn launch(&self, mode: LaunchMode) -> (LaunchRecord, Vec<LaunchEvent>) {
        let mut choices = default_choices(&self.app, Some("linux/amd64"));
        choices.mode = mode;
        let config = LaunchConfig::new(choices, &self.wizard).expect("valid choices");
        let events = Arc::new(Mutex::new(Vec::new()));
        let sink = events.clone();
        let run = Job::new(
            Arc::new(move |e: LaunchEvent| sink.lock().unwrap().push(e)),
            CancellationToken::new(),
        );
        let store = LaunchStore::in_dir(self.store_dir.path());
        let ctx = LaunchContext {
            clients: &self.clients,
            store: &store,
            run: &run,
            follow: FollowOptions {
                poll: Duration::from_millis(100),
                ..follow()
            },
        };
        let record = apply::launch(&ctx, config).await.expect("the launch ends");
        let events = events.lock().unwrap().clone();
        (record, events)
    }
}

fn addresses(events: &[LaunchEvent]) -> usize {
    events
        .iter()
        .filter(|e| matches!(e, LaunchEvent::Address { .. }))
        .count()
}

/// The e2e failure of bug 1: the service's task was RUNNING on one poll, then exited, and
/// Berth said "Your container is running." Here the container runs half a second — less than
/// the backend's steady_state_s (1 s) — and the poll is quick, so the old rule (one look at
/// RUNNING) sees it run. The deployment never completes (ECS replaces the task, the circuit
/// breaker counts it): the launch is a stopped one, explained.
#[tokio::test]
async fn a_service_whose_container_exits_after_running_is_not_called_running() {
    let s = setup(&["sh", "-c", "echo up; sleep 0.5; exit 1"]).await;
    let (record, events) = s.launch(LaunchMode::Service).await;
    assert_eq!(
        record.status,
        LaunchStatus::Stopped,
        "timeline: {events:#?}"
    );
    assert_eq!(addresses(&events), 0, "no address for a crashed service");
    let d = record.diagnosis.expect("a diagnosis");
    assert_eq!(d.exit_code, Some(1), "{d:#?}");
}

/// A one-off task that exits within its first seconds is reported stopped, with its exit code.
#[tokio::test]
async fn a_one_off_task_that_exits_in_its_first_seconds_is_stopped() {
    let s = setup(&["sh", "-c", "echo up; sleep 2; exit 3"]).await;
    let (record, events) = s.launch(LaunchMode::Task).await;
    assert_eq!(
        record.status,
        LaunchStatus::Stopped,
        "timeline: {events:#?}"
    );
    assert_eq!(addresses(&events), 0);
    assert_eq!(record.diagnosis.expect("a diagnosis").exit_code, Some(3));
}

/// A healthy service runs only once its deployment is COMPLETED: the last rollout the timeline
/// showed before the address is COMPLETED.
#[tokio::test]
async fn a_healthy_service_runs_once_its_deployment_completed() {
    let s = setup(&["httpd", "-f", "-p", "80"]).await;
    let (record, events) = s.launch(LaunchMode::Service).await;
    assert_eq!(
        record.status,
        LaunchStatus::Running,
        "timeline: {events:#?}"
    );
    let first_address = events
        .iter()
        .position(|e| matches!(e, LaunchEvent::Address { .. }))
        .expect("an address");
    let rollout = events[..first_address].iter().rev().find_map(|e| match e {
        LaunchEvent::Service { rollout, .. } => Some(rollout.clone()),
        _ => None,
    });
    assert_eq!(rollout, Some(Some("COMPLETED".to_owned())));
}

/// Bug 3: with AWSServiceRoleForECS in the account, ensuring it makes no CreateServiceLinkedRole
/// call (which AWS answers "has been taken" and the activity log showed as a change).
#[tokio::test]
async fn an_existing_service_linked_role_is_not_created_again() {
    let (clients, _) = isolated_account_in(REGION).await;
    let log = ActivityLog::in_memory();
    let clients = clients.with_activity(log.clone());
    let iam = Iam::new(&clients);
    // The first time it may be missing (a new account) and is made; either way it exists after.
    iam.ensure_ecs_service_linked_role().await.unwrap();
    let creates = |log: &ActivityLog| {
        log.recent(1000)
            .into_iter()
            .filter(|e| e.command.contains("create-service-linked-role"))
            .count()
    };
    let before = creates(&log);
    assert!(!iam.ensure_ecs_service_linked_role().await.unwrap());
    assert!(!iam.ensure_ecs_service_linked_role().await.unwrap());
    assert_eq!(creates(&log), before, "{:#?}", log.recent(1000));
}
