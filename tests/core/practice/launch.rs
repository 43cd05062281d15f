//! A launch in Berth's own practice that is cut short by quitting Berth: the launch record stays
//! unfinished, quitting stops practice and the task containers it ran, and after the next start
//! (a new backend on other ports, the practice data loaded from its state file) the launch
//! resumes to a task that answers on its address, reusing everything made before, and tears down
//! to nothing left on the engine, as a launch to AWS does.

use super::{alive, pids_of};
use crate::support::launch::{push_with_login, web_image, Fixture, Timeline};
use crate::support::{sdk, unique};
use base64::Engine as _;
use berth_core::aws::AwsClients;
use berth_core::practice::manager::practice_clients;
use berth_core::practice::{PartsLocator, PracticeManager, PRACTICE_ACCOUNT, PRACTICE_TARGET};
use berth_core::settings::{PushedImage, WizardSettings};
use berth_core::wizard::launch::record::LaunchStatus;
use berth_core::wizard::launch::timeline::{LaunchEvent, Outcome};
use berth_core::wizard::launch::{check_target, LaunchMode};
use berth_core::ErrorKind;
use std::path::Path;

const TRUST_POLICY: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;

/// What the IAM, Repository and Image steps leave in practice: the execution role, a repository
/// and a web server image pushed to the practice registry with ECR's token.
async fn practice_fixture(clients: AwsClients, registry: &str) -> Fixture {
    let role = sdk::iam(&clients)
        .create_role()
        .role_name("ecsTaskExecutionRole")
        .assume_role_policy_document(TRUST_POLICY)
        .send()
        .await
        .expect("create role");
    let role_arn = role.role().unwrap().arn().to_owned();
    let app = format!("web{}", unique() % 100_000);
    let ecr = sdk::ecr(&clients);
    ecr.create_repository()
        .repository_name(&app)
        .send()
        .await
        .expect("create repository");
    let token = ecr.get_authorization_token().send().await.unwrap();
    let pair = base64::engine::general_purpose::STANDARD
        .decode(token.authorization_data()[0].authorization_token().unwrap())
        .unwrap();
    let pair = String::from_utf8(pair).unwrap();
    let (user, password) = pair.split_once(':').unwrap();
    let digest = push_with_login(registry, user, password, web_image(), &app, "v1");
    let region = berth_core::practice::PRACTICE_REGION;
    let f = Fixture {
        clients,
        account: PRACTICE_ACCOUNT.to_owned(),
        wizard: WizardSettings {
            execution_role_arn: Some(role_arn),
            repository: Some(app.clone()),
            image: Some(PushedImage {
                repository: app.clone(),
                tag: "v1".into(),
                digest,
                uri: format!("{PRACTICE_ACCOUNT}.dkr.ecr.{region}.amazonaws.com/{app}:v1"),
                platform: "linux/amd64".into(),
                exposed_port: None,
            }),
            ..WizardSettings::default()
        },
        app,
        store_dir: tempfile::tempdir().unwrap(),
    };
    f.wait_for_role().await;
    f
}

/// The label value marking the task containers of the practice run kept in `dir`.
fn instance(dir: &Path) -> String {
    let run: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("run.json")).unwrap()).unwrap();
    format!("berth-practice-{}", &run["token"].as_str().unwrap()[..12])
}

/// Containers (running or not) of practice run `instance`.
fn containers_of(instance: &str) -> Vec<String> {
    let out = crate::support::image::docker(&[
        "ps",
        "-a",
        "-q",
        "--filter",
        &format!("label=berth.moto.instance={instance}"),
    ]);
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}

/// The body of GET `url` (curl), retried while the task's server comes up.
async fn body_of(url: &str) -> String {
    for _ in 0..60 {
        let out = std::process::Command::new("curl")
            .args(["-sf", "--noproxy", "*", "-m", "5", url])
            .output()
            .expect("curl runs");
        if out.status.success() {
            return String::from_utf8_lossy(&out.stdout).into_owned();
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    panic!("{url} never answered");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_practice_launch_cut_short_by_quitting_resumes_after_the_next_start_and_tears_down() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("practice");
    let first = PracticeManager::new(&folder, PartsLocator::from_env(None));
    let endpoints = first.start().await.expect("practice starts");
    let clients = practice_clients(&endpoints.endpoint_url).await;
    let f = practice_fixture(clients, &endpoints.registry).await;
    let config = f.config(f.choices(LaunchMode::Service));

    // Berth quits right after the service is made (its task is being started as a container).
    let timeline = Timeline::interrupted_after(6);
    let err = f.launch_with(&config, &timeline.run()).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Cancelled);
    let saved = f.store().load(&f.app).unwrap().expect("a launch record");
    assert!(saved.status.is_unfinished(), "{:?}", saved.status);
    assert_eq!(saved.resources.len(), 6);
    // Named by what it is, not by this run's address, which the next run does not have.
    assert_eq!(saved.endpoint_url.as_deref(), Some(PRACTICE_TARGET));
    let first_run = instance(&folder);
    let pids = pids_of(&folder);
    first.stop().await;
    for pid in pids {
        assert!(!alive(pid), "pid {pid} of the quit practice still runs");
    }
    assert_eq!(containers_of(&first_run), Vec::<String>::new());

    // The next start: a new backend with the saved practice account; the launch resumes there.
    let next = PracticeManager::new(&folder, PartsLocator::from_env(None));
    let again = next.start().await.expect("practice starts again");
    let next_run = instance(&folder);
    let f = Fixture {
        clients: practice_clients(&again.endpoint_url).await,
        ..f
    };
    check_target(&saved, &f.clients).expect("the launch belongs to practice, whatever its port");
    let (resumed, events) = f.launch(&saved.config).await;
    let record = resumed.expect("the launch resumes");
    assert_eq!(record.status, LaunchStatus::Running, "{events:?}");
    let outcomes: Vec<Outcome> = events
        .iter()
        .filter_map(|e| match e {
            LaunchEvent::Action { outcome, .. } => Some(*outcome),
            _ => None,
        })
        .collect();
    assert_eq!(outcomes, vec![Outcome::Reused; 6], "{events:?}");
    let url = record
        .addresses
        .iter()
        .find_map(|a| a.url.clone())
        .expect("the task's address");
    assert_eq!(body_of(&url).await.trim(), "berth-test-web");
    assert!(!containers_of(&next_run).is_empty());

    // Tear it down: nothing of the launch is left running on the engine.
    f.tear_down(&f.app, &Default::default(), Default::default())
        .await;
    let store = f.store();
    assert!(store.load(&f.app).unwrap().is_none(), "the record is kept");
    let running = crate::support::image::docker(&[
        "ps",
        "-q",
        "--filter",
        &format!("label=berth.moto.instance={next_run}"),
    ]);
    assert_eq!(String::from_utf8_lossy(&running.stdout).trim(), "");
    next.stop().await;
    assert_eq!(containers_of(&next_run), Vec::<String>::new());
}
