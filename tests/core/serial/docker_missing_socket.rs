//! DOCKER_HOST naming a socket that does not exist. It sets the process environment.

use berth_core::docker::{self, DockerStatus};
use berth_core::ErrorKind;

#[tokio::test]
async fn docker_host_pointing_at_a_missing_socket_is_not_running() {
    let dir = tempfile::tempdir().unwrap();
    let host = format!("unix://{}/no-docker-here.sock", dir.path().display());
    let mut env = crate::support::EnvVars::default();
    env.set("DOCKER_HOST", &host);
    let status = docker::probe().await;
    let DockerStatus::Unavailable { error } = status else {
        panic!("a missing socket was reported as available: {status:?}");
    };
    assert_eq!(error.kind, ErrorKind::DockerNotRunning);
    assert_eq!(error.param("host"), Some(host.as_str()));
    assert_eq!(error.param("hostSource"), Some("env"));
}
