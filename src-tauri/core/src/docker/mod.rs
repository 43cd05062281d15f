//! The connection to the local Docker engine. Honours `DOCKER_HOST` like the docker CLI, falls
//! back to the usual socket locations, negotiates the API version, and turns every way of not
//! reaching the engine into an [`ErrorKind`] with a fix.

use crate::error::{BerthError, ErrorKind, Result};
use bollard::{Docker, API_DEFAULT_VERSION};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::Duration;
use ts_rs::TS;

/// The oldest engine API Berth works with (Docker 19.03). BuildKit-less builds and pushes with
/// per-request credentials both work from here on.
pub const MINIMUM_API_VERSION: (u32, u32) = (1, 40);

/// How long the environment check waits for an engine before calling it not running.
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

/// Where the engine is expected, and whether the user chose it (`DOCKER_HOST`) or Berth guessed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DockerEndpoint {
    pub uri: String,
    pub source: HostSource,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostSource {
    Environment,
    Default,
}

impl HostSource {
    fn as_param(self) -> &'static str {
        match self {
            HostSource::Environment => "env",
            HostSource::Default => "default",
        }
    }
}

impl DockerEndpoint {
    /// `DOCKER_HOST` if set (and not empty), else the first usual socket that exists, else the
    /// standard `/var/run/docker.sock`.
    pub fn from_env() -> Self {
        match std::env::var("DOCKER_HOST") {
            Ok(uri) if !uri.trim().is_empty() => DockerEndpoint {
                uri: uri.trim().to_owned(),
                source: HostSource::Environment,
            },
            _ => DockerEndpoint {
                uri: default_socket_candidates()
                    .into_iter()
                    .find(|p| p.exists())
                    .map(|p| format!("unix://{}", p.display()))
                    .unwrap_or_else(|| "unix:///var/run/docker.sock".to_owned()),
                source: HostSource::Default,
            },
        }
    }
}

/// Docker Engine on Linux, then Docker Desktop (macOS and Linux) sockets.
fn default_socket_candidates() -> Vec<PathBuf> {
    let mut candidates = vec![PathBuf::from("/var/run/docker.sock")];
    if let Some(home) = std::env::var_os("HOME") {
        let home = PathBuf::from(home);
        candidates.push(home.join(".docker/run/docker.sock"));
        candidates.push(home.join(".docker/desktop/docker.sock"));
    }
    candidates
}

/// What the environment check shows about the engine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DockerEngine {
    pub version: String,
    pub api_version: String,
    pub os: String,
    pub arch: String,
    pub host: String,
}

/// The engine answers, or why it does not. A value, not an error: "Docker is not running" is an
/// expected state of the environment check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "state", rename_all = "camelCase")]
pub enum DockerStatus {
    Available { engine: DockerEngine },
    Unavailable { error: BerthError },
}

/// A live connection with the negotiated API version.
#[derive(Debug, Clone)]
pub struct Engine {
    pub docker: Docker,
    pub info: DockerEngine,
}

/// Checks the engine named by the environment, within [`PROBE_TIMEOUT`].
pub async fn probe() -> DockerStatus {
    match connect(&DockerEndpoint::from_env(), PROBE_TIMEOUT).await {
        Ok(engine) => DockerStatus::Available {
            engine: engine.info,
        },
        Err(error) => DockerStatus::Unavailable { error },
    }
}

/// Connects to the engine at `endpoint`, negotiates the API version and reads its version.
/// `timeout` bounds each request (long builds and pushes pass a larger one).
pub async fn connect(endpoint: &DockerEndpoint, timeout: Duration) -> Result<Engine> {
    let not_running = || {
        BerthError::new(ErrorKind::DockerNotRunning)
            .with("host", &endpoint.uri)
            .with("hostSource", endpoint.source.as_param())
    };
    let secs = timeout.as_secs().max(1);
    let docker = if let Some(path) = endpoint.uri.strip_prefix("unix://") {
        check_socket(Path::new(path), endpoint, timeout).await?;
        Docker::connect_with_unix(&endpoint.uri, secs, API_DEFAULT_VERSION)
    } else if endpoint.uri.starts_with("tcp://") || endpoint.uri.starts_with("http://") {
        Docker::connect_with_http(&endpoint.uri, secs, API_DEFAULT_VERSION)
    } else {
        return Err(BerthError::new(ErrorKind::DockerHostInvalid)
            .with("host", &endpoint.uri)
            .details("Berth connects to unix:// sockets and tcp:// or http:// addresses"));
    }
    .map_err(|e| not_running().details(e))?;

    let docker = docker
        .negotiate_version()
        .await
        .map_err(|e| not_running().details(e))?;
    let version = docker
        .version()
        .await
        .map_err(|e| not_running().details(e))?;

    let api_version = version.api_version.unwrap_or_default();
    if parse_api_version(&api_version).is_none_or(|v| v < MINIMUM_API_VERSION) {
        let (major, minor) = MINIMUM_API_VERSION;
        return Err(BerthError::new(ErrorKind::DockerTooOld)
            .with("apiVersion", &api_version)
            .with("minimum", format!("{major}.{minor}")));
    }
    Ok(Engine {
        docker,
        info: DockerEngine {
            version: version.version.unwrap_or_default(),
            api_version,
            os: version.os.unwrap_or_default(),
            arch: version.arch.unwrap_or_default(),
            host: endpoint.uri.clone(),
        },
    })
}

/// Opens the socket once by hand: bollard reports a missing socket and a refused permission the
/// same way, and the user needs different fixes for them.
async fn check_socket(path: &Path, endpoint: &DockerEndpoint, timeout: Duration) -> Result<()> {
    let with_host = |kind| BerthError::new(kind).with("host", &endpoint.uri);
    let not_running =
        || with_host(ErrorKind::DockerNotRunning).with("hostSource", endpoint.source.as_param());
    match tokio::time::timeout(timeout, tokio::net::UnixStream::connect(path)).await {
        Ok(Ok(_)) => Ok(()),
        Err(_) => Err(not_running().details("the socket did not accept a connection in time")),
        Ok(Err(e)) => Err(match e.kind() {
            std::io::ErrorKind::PermissionDenied => {
                with_host(ErrorKind::DockerPermissionDenied).details(e)
            }
            std::io::ErrorKind::NotFound
                if endpoint.source == HostSource::Default && !engine_installed() =>
            {
                with_host(ErrorKind::DockerNotInstalled).details(e)
            }
            _ => not_running().details(e),
        }),
    }
}

/// Whether a Docker engine or CLI is installed, judged by the programs on PATH.
fn engine_installed() -> bool {
    let Some(path) = std::env::var_os("PATH") else {
        return false;
    };
    std::env::split_paths(&path).any(|dir| {
        ["dockerd", "docker", "com.docker.backend"]
            .iter()
            .any(|name| dir.join(name).is_file())
    }) || Path::new("/Applications/Docker.app").exists()
}

/// "1.41" → (1, 41).
fn parse_api_version(text: &str) -> Option<(u32, u32)> {
    let (major, minor) = text.trim().split_once('.')?;
    Some((major.parse().ok()?, minor.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_engine_api_versions() {
        assert_eq!(parse_api_version("1.41"), Some((1, 41)));
        assert_eq!(parse_api_version("1.9"), Some((1, 9)));
        assert!(parse_api_version("1.9") < Some(MINIMUM_API_VERSION));
        assert_eq!(parse_api_version("garbage"), None);
    }

    #[tokio::test]
    async fn an_unsupported_scheme_is_an_invalid_host() {
        let endpoint = DockerEndpoint {
            uri: "ftp://example".into(),
            source: HostSource::Environment,
        };
        let err = connect(&endpoint, Duration::from_secs(1))
            .await
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::DockerHostInvalid);
        assert_eq!(err.param("host"), Some("ftp://example"));
    }

    #[tokio::test]
    async fn a_missing_socket_named_by_docker_host_is_not_running() {
        let dir = tempfile::tempdir().unwrap();
        let endpoint = DockerEndpoint {
            uri: format!("unix://{}/docker.sock", dir.path().display()),
            source: HostSource::Environment,
        };
        let err = connect(&endpoint, Duration::from_secs(1))
            .await
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::DockerNotRunning);
        assert_eq!(err.param("hostSource"), Some("env"));
    }

    #[tokio::test]
    async fn a_stale_socket_file_is_not_running() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("docker.sock");
        drop(std::os::unix::net::UnixListener::bind(&path).unwrap());
        let endpoint = DockerEndpoint {
            uri: format!("unix://{}", path.display()),
            source: HostSource::Default,
        };
        let err = connect(&endpoint, Duration::from_secs(1))
            .await
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::DockerNotRunning);
    }
}
