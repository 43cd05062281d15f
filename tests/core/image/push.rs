//! Pushing with Berth against the real engine, a real registry with basic auth and moto's ECR
//! token (practice mode): the digest Berth reports is the one the registry serves, the image is
//! registered in the emulator's ECR, wrong credentials and a registry that dies mid-push end in
//! clear errors, and cancel stops the push.

use crate::support::image as image_support;
use crate::support::sdk;

use berth_core::activity::ActivityLog;
use berth_core::aws::AwsClients;
use berth_core::error::ErrorKind;
use berth_core::progress::{LayerState, Progress};
use berth_core::wizard::image::{self, PushRequest};
use image_support::{
    create_repository, docker, docker_quiet, moto_clients, practice_account, random_image,
    registry_digest, stack_var, unique_name, Collected, Registry,
};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The hang guard: the engine's retries end well within this.
const NEVER_A_HANG: Duration = Duration::from_secs(240);

/// A small image of two layers, one of them new (so it really uploads).
fn two_layer_image() -> String {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("Dockerfile"),
        format!(
            "FROM {}\nRUN head -c 3000000 /dev/urandom > /data.bin\n",
            stack_var("BERTH_TEST_IMAGE")
        ),
    )
    .unwrap();
    let reference = format!("{}:local", unique_name("berth-test/app"));
    docker(&[
        "build",
        "-q",
        "-t",
        &reference,
        dir.path().to_str().unwrap(),
    ]);
    reference
}

async fn setup(repository: &str) -> AwsClients {
    let clients = moto_clients().await;
    create_repository(&clients, repository).await;
    clients
}

#[tokio::test]
async fn the_reported_digest_is_the_one_the_registry_serves_and_ecr_lists_the_image() {
    let registry = stack_var("BERTH_TEST_REGISTRY");
    let (user, password) = (
        stack_var("BERTH_TEST_REGISTRY_USER"),
        stack_var("BERTH_TEST_REGISTRY_PASSWORD"),
    );
    let repository = unique_name("berth-push");
    let clients = setup(&repository).await;
    let local = two_layer_image();
    let engine = image::engine().await.unwrap();
    // One log for the docker commands and the AWS calls, as the app keeps it.
    let log = clients.activity().clone();
    let docker_config = std::env::var("HOME")
        .map(|h| std::path::PathBuf::from(h).join(".docker/config.json"))
        .unwrap();
    let config_before = std::fs::read(&docker_config).ok();

    let run = Collected::new();
    let pushed = image::push(
        &engine,
        &clients,
        &practice_account(&registry),
        Some(&repository),
        &PushRequest {
            image: local.clone(),
            tag: "v1".into(),
        },
        &log,
        &run.op,
    )
    .await
    .expect("Berth pushes to the practice registry");

    // The digest is the one the registry serves over its own API.
    let served = registry_digest(&registry, &repository, "v1", &user, &password)
        .expect("the registry serves the pushed manifest");
    assert_eq!(pushed.digest, served);
    assert_eq!(
        pushed.uri,
        format!("123456789012.dkr.ecr.us-east-1.amazonaws.com/{repository}:v1")
    );
    assert_eq!(pushed.platform, "linux/amd64");

    // The emulator's ECR lists it (the Repositories view and Launch ask there).
    let images = sdk::ecr(&clients)
        .describe_images()
        .repository_name(&repository)
        .send()
        .await
        .unwrap();
    let listed = images.image_details().first().expect("ECR lists the image");
    assert_eq!(listed.image_digest(), Some(served.as_str()));
    assert_eq!(listed.image_tags(), ["v1"]);

    // Each layer was followed by id to the end; both layers uploaded.
    let events = run.events();
    let mut last_state = std::collections::BTreeMap::new();
    for event in &events {
        if let Progress::Layers { layers } = event {
            for layer in layers {
                assert_eq!(layer.id.len(), 12, "{layer:?}");
                last_state.insert(layer.id.clone(), (layer.state, layer.done, layer.total));
            }
        }
    }
    assert!(last_state.len() >= 2, "{last_state:?}");
    for (id, (state, done, total)) in &last_state {
        assert!(
            matches!(state, LayerState::Pushed | LayerState::Exists),
            "{id}: {state:?}"
        );
        if *state == LayerState::Pushed {
            assert_eq!(Some(*done), *total, "{id}");
        }
    }

    // Every action with its command line, and never the token: the changes as entries, in
    // order, and the ECR login (a read) tallied apart.
    let actions: Vec<(String, String)> = log
        .recent(10)
        .into_iter()
        .map(|e| (e.action, e.command))
        .collect();
    let names: Vec<&str> = actions.iter().map(|(a, _)| a.as_str()).collect();
    assert_eq!(names, ["docker.tag", "docker.push", "ecr.putImage"]);
    let login = crate::support::read_of(&log, "ecr.getAuthorizationToken");
    assert_eq!(login.count, 1);
    assert!(login
        .last
        .command
        .starts_with("aws ecr get-login-password --region us-east-1 --endpoint-url"));
    assert!(login.last.command.ends_with(&format!(
        "| docker login --username AWS --password-stdin {registry}"
    )));
    assert_eq!(
        actions[1].1,
        format!("docker push {registry}/{repository}:v1")
    );
    for command in actions.iter().map(|(_, c)| c).chain([&login.last.command]) {
        assert!(!command.contains(&password), "{command}");
    }
    assert_eq!(
        std::fs::read(&docker_config).ok(),
        config_before,
        "~/.docker/config.json must not be touched"
    );

    // A second tag of the same image uploads nothing: every layer already exists.
    let again = Collected::new();
    let second = image::push(
        &engine,
        &clients,
        &practice_account(&registry),
        Some(&repository),
        &PushRequest {
            image: local.clone(),
            tag: "v2".into(),
        },
        &log,
        &again.op,
    )
    .await
    .unwrap();
    assert_eq!(second.digest, pushed.digest);
    let existing = again
        .events()
        .iter()
        .filter(|e| matches!(e, Progress::Layers { layers } if layers.iter().any(|l| l.state == LayerState::Exists)))
        .count();
    assert!(
        existing > 0,
        "layers already in the registry are reported as such"
    );

    docker_quiet(&["rmi", &local]);
}

#[tokio::test]
async fn credentials_the_registry_refuses_end_in_the_unauthorized_kind() {
    // A registry whose password is not moto's token: the token Berth gets is refused.
    let registry = Registry::start("AWS", "another-password");
    let repository = unique_name("berth-unauthorized");
    let clients = setup(&repository).await;
    let engine = image::engine().await.unwrap();
    let log = ActivityLog::in_memory();
    let run = Collected::new();
    let err = image::push(
        &engine,
        &clients,
        &practice_account(&registry.address),
        Some(&repository),
        &PushRequest {
            image: stack_var("BERTH_TEST_IMAGE"),
            tag: "v1".into(),
        },
        &log,
        &run.op,
    )
    .await
    .unwrap_err();
    assert_eq!(err.kind, ErrorKind::RegistryUnauthorized, "{err}");
    assert_eq!(err.param("registry"), Some(registry.address.as_str()));
    let details = err.details.unwrap_or_default();
    assert!(
        !details.contains(&stack_var("BERTH_TEST_REGISTRY_PASSWORD")),
        "{details}"
    );
    assert_eq!(log.recent(1)[0].action, "docker.push");
    assert_eq!(
        log.recent(1)[0].error,
        Some(ErrorKind::RegistryUnauthorized)
    );
}

#[tokio::test]
async fn a_registry_killed_mid_push_ends_in_retries_then_the_unreachable_kind() {
    let registry = Arc::new(Mutex::new(Registry::start(
        &stack_var("BERTH_TEST_REGISTRY_USER"),
        &stack_var("BERTH_TEST_REGISTRY_PASSWORD"),
    )));
    let address = registry.lock().unwrap().address.clone();
    let repository = unique_name("berth-killed");
    let clients = setup(&repository).await;
    let local = random_image(200);
    let engine = image::engine().await.unwrap();
    let log = ActivityLog::in_memory();
    let killer = registry.clone();
    let run = Collected::with_hook(move |e| {
        let uploading = matches!(e, Progress::Layers { layers }
            if layers.iter().any(|l| l.state == LayerState::Pushing && l.done > 0));
        if uploading {
            killer.lock().unwrap().kill();
        }
    });
    let result = tokio::time::timeout(
        NEVER_A_HANG,
        image::push(
            &engine,
            &clients,
            &practice_account(&address),
            Some(&repository),
            &PushRequest {
                image: local.clone(),
                tag: "v1".into(),
            },
            &log,
            &run.op,
        ),
    )
    .await
    .expect("the push ends after the engine's retries, it does not hang");
    let err = result.unwrap_err();
    assert_eq!(err.kind, ErrorKind::RegistryUnreachable, "{err}");
    assert_eq!(err.param("registry"), Some(address.as_str()));
    let retries: Vec<String> = run
        .events()
        .into_iter()
        .filter_map(|e| match e {
            Progress::Retrying { message, .. } => Some(message),
            _ => None,
        })
        .collect();
    assert!(!retries.is_empty(), "the engine's retries are reported");
    assert!(
        retries.iter().all(|m| m.starts_with("Retrying in")),
        "{retries:?}"
    );
    docker_quiet(&["rmi", &local]);
}

#[tokio::test]
async fn cancel_stops_the_push_and_the_registry_never_gets_the_image() {
    let registry = stack_var("BERTH_TEST_REGISTRY");
    let repository = unique_name("berth-cancelled");
    let clients = setup(&repository).await;
    let local = random_image(200);
    let engine = image::engine().await.unwrap();
    let log = ActivityLog::in_memory();
    let token = Arc::new(Mutex::new(None::<tokio_util::sync::CancellationToken>));
    let trigger = token.clone();
    let run = Collected::with_hook(move |e| {
        let uploading = matches!(e, Progress::Layers { layers }
            if layers.iter().any(|l| l.state == LayerState::Pushing && l.done > 0));
        if uploading {
            if let Some(t) = trigger.lock().unwrap().as_ref() {
                t.cancel();
            }
        }
    });
    *token.lock().unwrap() = Some(run.cancel.clone());
    let err = image::push(
        &engine,
        &clients,
        &practice_account(&registry),
        Some(&repository),
        &PushRequest {
            image: local.clone(),
            tag: "v1".into(),
        },
        &log,
        &run.op,
    )
    .await
    .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Cancelled);
    // Long enough for the engine to finish a 200 MB push on loopback had it kept going.
    tokio::time::sleep(Duration::from_secs(15)).await;
    let served = registry_digest(
        &registry,
        &repository,
        "v1",
        &stack_var("BERTH_TEST_REGISTRY_USER"),
        &stack_var("BERTH_TEST_REGISTRY_PASSWORD"),
    );
    assert_eq!(served, None, "the engine went on pushing after cancel");
    docker_quiet(&["rmi", &local, &format!("{registry}/{repository}:v1")]);
}
