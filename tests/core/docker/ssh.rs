//! An engine reached over ssh (`ssh://host`, as `docker -H ssh://…` and ssh contexts do): Berth
//! runs `ssh … docker system dial-stdio` against a real sshd of the test's own, and builds with
//! BuildKit (the session goes through the same ssh connection kind) and pushes through it. A
//! login that ssh refuses is explained with what ssh said.

use crate::support::image as image_support;
use crate::support::ssh_host::SshHost;

use berth_core::activity::ActivityLog;
use berth_core::docker::{self, DockerEnv};
use berth_core::wizard::image::{self, BuildRequest};
use berth_core::ErrorKind;
use image_support::{run_once, stack_var, unique_name, Collected};
use std::time::Duration;

#[tokio::test]
async fn an_ssh_engine_builds_and_pushes_and_a_refused_login_is_explained() {
    let ssh = SshHost::start();
    let home = tempfile::tempdir().unwrap();
    let env = DockerEnv::with_home(home.path()).set("DOCKER_HOST", ssh.docker_host());
    let engine = docker::connect_with(&env, None, Duration::from_secs(600))
        .await
        .expect("Berth reaches the engine through ssh");
    assert_eq!(engine.info.host, ssh.docker_host());
    assert!(!engine.info.version.is_empty());

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("Dockerfile"),
        format!(
            "FROM {}\nCOPY note.txt /note.txt\nRUN --mount=type=cache,target=/c wc -c /note.txt > /size\n",
            stack_var("BERTH_TEST_IMAGE")
        ),
    )
    .unwrap();
    std::fs::write(dir.path().join("note.txt"), "sent through ssh").unwrap();
    let repository = unique_name("berth-ssh");
    let run = Collected::new();
    let built = image::build(
        &engine,
        Some(&repository),
        &BuildRequest {
            folder: dir.path().to_str().unwrap().into(),
            tag: "v1".into(),
            ..Default::default()
        },
        &ActivityLog::in_memory(),
        &run.op,
    )
    .await
    .unwrap_or_else(|e| panic!("{e}\n{}", image_support::log_text(&run.events())));
    // The engine behind the ssh host is the stack's: the docker CLI sees the image there.
    assert_eq!(
        run_once(&built.reference, &["cat", "/note.txt"]),
        "sent through ssh"
    );
    assert_eq!(
        run_once(&built.reference, &["cat", "/size"]).trim(),
        "16 /note.txt"
    );
    assert!(built.context_bytes >= 16);

    // The push streams go through the same ssh connection kind.
    image_support::push_to_stack_registry(&engine, &built.reference, &repository).await;
    image_support::docker_quiet(&["rmi", &built.reference]);

    // A user the server does not let in: ssh's own words reach the user.
    let refused = DockerEnv::with_home(home.path())
        .set("DOCKER_HOST", format!("ssh://nobody-here@{}", ssh.alias));
    let err = docker::connect_with(&refused, None, Duration::from_secs(30))
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::DockerSshFailed, "{err}");
    assert!(
        err.details
            .as_deref()
            .unwrap_or_default()
            .contains("Permission denied"),
        "{err}"
    );
}
