//! Finding the engine through docker contexts, as the docker CLI does, in a `~/.docker` of the
//! test's own made by the docker CLI itself (`docker --config DIR context create/use`): the
//! current context pointing at the test engine is used, `DOCKER_CONTEXT` overrides it, the
//! context chosen in Berth overrides both, and a broken or silent context is explained with the
//! place tried. Discovery reads an explicit environment, so nothing here touches the process's.

use crate::support;

use berth_core::docker::discovery::context_dir_name;
use berth_core::docker::{self, DockerEnv, HostSource};
use berth_core::ErrorKind;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

/// The docker CLI with its config (and context store) in `config`.
fn cli(config: &Path, args: &[&str]) -> String {
    let out = Command::new("docker")
        .arg("--config")
        .arg(config)
        .args(args)
        .env_remove("DOCKER_HOST")
        .env_remove("DOCKER_CONTEXT")
        .output()
        .expect("the docker CLI runs");
    assert!(
        out.status.success(),
        "docker {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A home whose `~/.docker` holds: `berth-test` (current) at the stack's engine, `silent` at a
/// TCP port nothing listens on, `gone-socket` at a socket that does not exist, and a `broken`
/// context whose metadata is not JSON.
fn home_with_contexts() -> (tempfile::TempDir, DockerEnv) {
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join(".docker");
    std::fs::create_dir_all(&config).unwrap();
    let engine = support::stack_var("DOCKER_HOST");
    let silent_port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    cli(
        &config,
        &[
            "context",
            "create",
            "berth-test",
            "--description",
            "the test engine",
            "--docker",
            &format!("host={engine}"),
        ],
    );
    cli(
        &config,
        &[
            "context",
            "create",
            "silent",
            "--docker",
            &format!("host=tcp://127.0.0.1:{silent_port}"),
        ],
    );
    cli(
        &config,
        &[
            "context",
            "create",
            "gone-socket",
            "--docker",
            &format!("host=unix://{}/nothing.sock", home.path().display()),
        ],
    );
    cli(
        &config,
        &[
            "context",
            "create",
            "broken",
            "--docker",
            "host=unix:///x.sock",
        ],
    );
    std::fs::write(
        config
            .join("contexts/meta")
            .join(context_dir_name("broken"))
            .join("meta.json"),
        "{ not json",
    )
    .unwrap();
    cli(&config, &["context", "use", "berth-test"]);
    let env = DockerEnv::with_home(home.path());
    (home, env)
}

#[tokio::test]
async fn the_current_context_of_the_docker_config_leads_to_the_engine() {
    let (_home, env) = home_with_contexts();
    let engine = docker::connect_with(&env, None, Duration::from_secs(30))
        .await
        .expect("the current context's engine answers");
    assert_eq!(engine.info.context, "berth-test");
    assert_eq!(engine.info.source, HostSource::ConfigFile);
    assert_eq!(engine.info.host, support::stack_var("DOCKER_HOST"));
    // And it really is that engine: an image Berth tags there is seen by the docker CLI.
    let reference = format!("{}:ctx", support::unique_name("berth-test/context"));
    let (repo, tag) = reference.split_once(':').unwrap();
    engine
        .docker
        .tag_image(
            &support::stack_var("BERTH_TEST_IMAGE"),
            Some(
                bollard::query_parameters::TagImageOptionsBuilder::default()
                    .repo(repo)
                    .tag(tag)
                    .build(),
            ),
        )
        .await
        .unwrap();
    crate::support::image::docker(&["image", "inspect", &reference]);
    crate::support::image::docker_quiet(&["rmi", &reference]);
}

#[tokio::test]
async fn docker_context_overrides_the_current_context_and_berths_choice_overrides_both() {
    let (_home, env) = home_with_contexts();
    let env = env.set("DOCKER_CONTEXT", "silent");
    let err = docker::connect_with(&env, None, Duration::from_secs(5))
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::DockerNotRunning, "{err}");
    assert_eq!(err.param("context"), Some("silent"));
    assert_eq!(err.param("hostSource"), Some("contextEnv"));
    let tried = err.param("tried").unwrap();
    assert!(
        tried.starts_with("tcp://127.0.0.1:") && tried.ends_with("(context silent)"),
        "{tried}"
    );

    let engine = docker::connect_with(&env, Some("berth-test"), Duration::from_secs(30))
        .await
        .expect("the chosen context wins");
    assert_eq!(
        (engine.info.context.as_str(), engine.info.source),
        ("berth-test", HostSource::Setting)
    );
}

#[tokio::test]
async fn broken_and_missing_contexts_are_explained() {
    let (_home, env) = home_with_contexts();
    let err = docker::connect_with(
        &env.clone().set("DOCKER_CONTEXT", "broken"),
        None,
        Duration::from_secs(5),
    )
    .await
    .unwrap_err();
    assert_eq!(err.kind, ErrorKind::DockerContextInvalid);
    assert_eq!(err.param("reason"), Some("unreadable"));
    assert!(err.param("path").unwrap().ends_with("meta.json"));

    let err = docker::connect_with(
        &env.clone().set("DOCKER_CONTEXT", "nope"),
        None,
        Duration::from_secs(5),
    )
    .await
    .unwrap_err();
    assert_eq!(err.kind, ErrorKind::DockerContextInvalid);
    assert_eq!(
        (err.param("context"), err.param("reason")),
        (Some("nope"), Some("notFound"))
    );

    let err = docker::connect_with(&env, Some("gone-socket"), Duration::from_secs(5))
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::DockerNotRunning);
    assert_eq!(err.param("hostSource"), Some("setting"));
    assert!(err.param("host").unwrap().ends_with("/nothing.sock"));
}

#[tokio::test]
async fn berth_lists_the_contexts_the_docker_cli_lists() {
    let (home, env) = home_with_contexts();
    let listed = docker::discovery::list_contexts(&env, None);
    // The CLI's own view of the same store (it skips the unreadable one with an error, so ask
    // it per context).
    let config = home.path().join(".docker");
    for name in ["berth-test", "silent", "gone-socket"] {
        let host = cli(
            &config,
            &[
                "context",
                "inspect",
                name,
                "--format",
                "{{.Endpoints.docker.Host}}",
            ],
        );
        let ours = listed.contexts.iter().find(|c| c.name == name).unwrap();
        assert_eq!(ours.host, host.trim(), "{name}");
        assert!(ours.error.is_none());
    }
    let shown = cli(&config, &["context", "show"]);
    assert_eq!(listed.current, shown.trim());
    assert_eq!(listed.cli_current, "berth-test");
    let berth = listed
        .contexts
        .iter()
        .find(|c| c.name == "berth-test")
        .unwrap();
    assert_eq!(berth.description, "the test engine");
    let broken = listed
        .contexts
        .iter()
        .find(|c| c.name == "broken" || c.name == context_dir_name("broken"));
    assert!(broken
        .expect("the broken context is listed")
        .error
        .is_some());
    assert_eq!(listed.contexts[0].name, "default");

    // DOCKER_CONTEXT changes what the CLI and Berth call current alike.
    let env = env.set("DOCKER_CONTEXT", "silent");
    let listed = docker::discovery::list_contexts(&env, None);
    assert_eq!(listed.current, "silent");
    assert_eq!(listed.source, HostSource::ContextVariable);
}
