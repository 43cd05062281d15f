//! Trying the image locally before it goes to AWS: `docker run` with its port on 127.0.0.1, its
//! output followed, and the container removed.

use crate::activity::{ActivityLog, CliCommand};
use crate::docker::Engine;
use crate::error::Result;
use crate::image::run::{self, LocalRun};
use crate::progress::Operation;

/// Starts the image locally with its port on 127.0.0.1.
pub async fn start_local(
    engine: &Engine,
    image: &str,
    container_port: u16,
    host_port: u16,
    log: &ActivityLog,
) -> Result<LocalRun> {
    let command = CliCommand::new(["docker", "run", "-d"])
        .opt("-p", format!("127.0.0.1:{host_port}:{container_port}"))
        .opt("--label", format!("{}=true", run::MANAGED_LABEL))
        .arg(image);
    log.track(
        "docker.run",
        image,
        &command,
        run::start(engine, image, container_port, host_port).await,
    )
}

/// Streams a local run's output until it stops (or the watch is cancelled).
pub async fn watch_local(engine: &Engine, container_id: &str, op: &Operation) -> Result<()> {
    op.run("logs", run::follow_logs(engine, container_id, op))
        .await
}

/// Stops and removes a local run.
pub async fn stop_local(engine: &Engine, container_id: &str, log: &ActivityLog) -> Result<()> {
    let short: String = container_id.chars().take(12).collect();
    log.track(
        "docker.rm",
        &short,
        &CliCommand::new(["docker", "rm", "-f", &short]),
        run::stop(engine, container_id).await,
    )
}
