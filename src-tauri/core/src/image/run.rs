//! "Try it locally": run the image with its port on 127.0.0.1, follow its logs, open it in the
//! browser, stop it. Containers carry the `berth.managed` label, and only those can be stopped
//! from Berth.

use crate::docker::Engine;
use crate::error::{BerthError, ErrorKind, Result};
use crate::progress::{Operation, Progress};
use bollard::models::{ContainerCreateBody, HostConfig, PortBinding};
use bollard::query_parameters::{
    CreateContainerOptionsBuilder, ListContainersOptionsBuilder, LogsOptionsBuilder,
    RemoveContainerOptionsBuilder,
};
use futures_util::StreamExt;
use serde::Serialize;
use std::collections::HashMap;
use ts_rs::TS;

/// The label on every container Berth starts.
pub const MANAGED_LABEL: &str = "berth.managed";
const IMAGE_LABEL: &str = "berth.image";

/// A container started by "try it locally".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LocalRun {
    pub container_id: String,
    pub image: String,
    pub host_port: u16,
    pub container_port: u16,
    /// `http://127.0.0.1:<host_port>/`
    pub url: String,
    pub running: bool,
    /// Set once the container has stopped on its own.
    #[ts(type = "number | null")]
    pub exit_code: Option<i64>,
}

/// Checks the ports before anything starts; the host port must be free on 127.0.0.1.
pub fn check_ports(container_port: u16, host_port: u16) -> Result<()> {
    if container_port == 0 {
        return Err(BerthError::invalid("containerPort", "range"));
    }
    if host_port == 0 {
        return Err(BerthError::invalid("hostPort", "range"));
    }
    if std::net::TcpListener::bind(("127.0.0.1", host_port)).is_err() {
        return Err(BerthError::invalid("hostPort", "inUse").with("port", host_port.to_string()));
    }
    Ok(())
}

/// A free port on 127.0.0.1: `preferred` if it is free, else one the system picks.
pub fn free_port(preferred: u16) -> u16 {
    if preferred != 0 && std::net::TcpListener::bind(("127.0.0.1", preferred)).is_ok() {
        return preferred;
    }
    std::net::TcpListener::bind(("127.0.0.1", 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or(preferred)
}

/// `docker run -d -p 127.0.0.1:HOST:CONTAINER --label berth.managed=true IMAGE`.
pub async fn start(
    engine: &Engine,
    image: &str,
    container_port: u16,
    host_port: u16,
) -> Result<LocalRun> {
    check_ports(container_port, host_port)?;
    let port_key = format!("{container_port}/tcp");
    let bindings = HashMap::from([(
        port_key.clone(),
        Some(vec![PortBinding {
            host_ip: Some("127.0.0.1".to_owned()),
            host_port: Some(host_port.to_string()),
        }]),
    )]);
    let body = ContainerCreateBody {
        image: Some(image.to_owned()),
        exposed_ports: Some(vec![port_key]),
        labels: Some(HashMap::from([
            (MANAGED_LABEL.to_owned(), "true".to_owned()),
            (IMAGE_LABEL.to_owned(), image.to_owned()),
        ])),
        host_config: Some(HostConfig {
            port_bindings: Some(bindings),
            ..Default::default()
        }),
        ..Default::default()
    };
    let created = engine
        .docker
        .create_container(Some(CreateContainerOptionsBuilder::default().build()), body)
        .await
        .map_err(|e| docker_error(e, image))?;
    if let Err(e) = engine.docker.start_container(&created.id, None).await {
        let _ = remove(engine, &created.id).await;
        return Err(docker_error(e, image));
    }
    Ok(LocalRun {
        container_id: created.id,
        image: image.to_owned(),
        host_port,
        container_port,
        url: url(host_port),
        running: true,
        exit_code: None,
    })
}

/// The address the app answers on.
pub fn url(host_port: u16) -> String {
    format!("http://127.0.0.1:{host_port}/")
}

/// Streams the container's output (from the start) until it stops or `op` is cancelled.
pub async fn follow_logs(engine: &Engine, container_id: &str, op: &Operation) -> Result<()> {
    let options = LogsOptionsBuilder::default()
        .follow(true)
        .stdout(true)
        .stderr(true)
        .tail("all")
        .build();
    let mut logs = engine.docker.logs(container_id, Some(options));
    let mut partial = String::new();
    while let Some(item) = logs.next().await {
        let chunk = item.map_err(|e| docker_error(e, container_id))?;
        partial.push_str(&String::from_utf8_lossy(&chunk.into_bytes()));
        while let Some(pos) = partial.find('\n') {
            let line: String = partial.drain(..=pos).collect();
            op.emit(Progress::Log {
                line: line.trim_end_matches(['\n', '\r']).to_owned(),
            });
        }
    }
    if !partial.is_empty() {
        op.emit(Progress::Log { line: partial });
    }
    Ok(())
}

/// The containers Berth started that still exist (running or stopped).
pub async fn list(engine: &Engine) -> Result<Vec<LocalRun>> {
    let filters = HashMap::from([("label", vec![format!("{MANAGED_LABEL}=true")])]);
    let containers = engine
        .docker
        .list_containers(Some(
            ListContainersOptionsBuilder::default()
                .all(true)
                .filters(&filters)
                .build(),
        ))
        .await
        .map_err(|e| BerthError::new(ErrorKind::DockerRejected).details(e))?;
    let mut runs = Vec::new();
    for c in containers {
        let Some(id) = c.id else { continue };
        let inspect = engine.docker.inspect_container(&id, None).await.ok();
        let state = inspect.as_ref().and_then(|i| i.state.clone());
        let running = state.as_ref().and_then(|s| s.running).unwrap_or(false);
        let port = c
            .ports
            .unwrap_or_default()
            .into_iter()
            .find(|p| p.public_port.is_some());
        let (host_port, container_port) = port
            .map(|p| (p.public_port.unwrap_or_default(), p.private_port))
            .unwrap_or_default();
        runs.push(LocalRun {
            container_id: id,
            image: c
                .labels
                .as_ref()
                .and_then(|l| l.get(IMAGE_LABEL).cloned())
                .or(c.image)
                .unwrap_or_default(),
            host_port,
            container_port,
            url: url(host_port),
            running,
            exit_code: (!running)
                .then(|| state.and_then(|s| s.exit_code))
                .flatten(),
        });
    }
    Ok(runs)
}

/// Stops and removes a container Berth started (and only such a container).
pub async fn stop(engine: &Engine, container_id: &str) -> Result<()> {
    let inspect = engine
        .docker
        .inspect_container(container_id, None)
        .await
        .map_err(|e| docker_error(e, container_id))?;
    let managed = inspect
        .config
        .and_then(|c| c.labels)
        .is_some_and(|l| l.get(MANAGED_LABEL).map(String::as_str) == Some("true"));
    if !managed {
        return Err(BerthError::new(ErrorKind::NotFound)
            .with("resource", "container")
            .with("name", container_id));
    }
    remove(engine, container_id)
        .await
        .map_err(|e| docker_error(e, container_id))
}

async fn remove(engine: &Engine, id: &str) -> std::result::Result<(), bollard::errors::Error> {
    engine
        .docker
        .remove_container(
            id,
            Some(RemoveContainerOptionsBuilder::default().force(true).build()),
        )
        .await
}

fn docker_error(err: bollard::errors::Error, name: &str) -> BerthError {
    match err {
        bollard::errors::Error::DockerResponseServerError {
            status_code: 404,
            message,
        } => BerthError::new(ErrorKind::NotFound)
            .with("resource", "container")
            .with("name", name)
            .details(message),
        bollard::errors::Error::DockerResponseServerError { message, .. } => {
            BerthError::new(ErrorKind::DockerRejected).details(message)
        }
        other => BerthError::new(ErrorKind::DockerRejected).details(other),
    }
}

/// Opens `http://127.0.0.1:<port>/` in the user's browser. Only loopback addresses built from a
/// port number: the window can't make Berth open anything else.
pub fn open_in_browser(port: u16) -> Result<()> {
    let address = url(port);
    let mut command = if cfg!(target_os = "macos") {
        std::process::Command::new("open")
    } else if cfg!(windows) {
        let mut c = std::process::Command::new("cmd");
        c.args(["/C", "start", ""]);
        c
    } else {
        std::process::Command::new("xdg-open")
    };
    command
        .arg(&address)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map(|_| ())
        .map_err(|e| BerthError::internal(format!("opening {address}: {e}")))
}
