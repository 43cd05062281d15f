//! The Docker probe against the real engine of the test stack.

use crate::support;

use berth_core::docker::{self, DockerStatus};
use std::process::Command;

#[tokio::test]
async fn probe_reports_the_real_engine_version() {
    let host = support::stack_var("DOCKER_HOST");
    // Ask the engine itself, through the docker CLI, what it is.
    let out = Command::new("docker")
        .args([
            "version",
            "--format",
            "{{.Server.Version}} {{.Server.APIVersion}} {{.Server.Os}} {{.Server.Arch}}",
        ])
        .env("DOCKER_HOST", &host)
        .output()
        .expect("the docker CLI runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let expected = String::from_utf8(out.stdout).unwrap();
    let expected: Vec<&str> = expected.split_whitespace().collect();

    match docker::probe().await {
        DockerStatus::Available { engine } => {
            assert_eq!(
                [
                    engine.version.as_str(),
                    engine.api_version.as_str(),
                    engine.os.as_str(),
                    engine.arch.as_str()
                ],
                expected[..]
            );
            assert_eq!(engine.host, host);
        }
        DockerStatus::Unavailable { error } => panic!("engine at {host} not found: {error}"),
    }
}
