//! The connection to the Docker engine: found as the docker CLI finds it ([`discovery`]: the
//! context chosen in Berth, `DOCKER_HOST`, `DOCKER_CONTEXT`, `currentContext` of
//! `~/.docker/config.json`, the default socket), reached over any transport the CLI speaks
//! ([`transport`]: unix socket, named pipe, TCP with or without TLS, ssh), with the API version
//! negotiated — and every way of not reaching it turned into an [`ErrorKind`] with a fix that
//! names the places tried.

pub mod discovery;
pub mod transport;

use crate::error::{BerthError, ErrorKind, Result};
use bollard::Docker;
pub use discovery::{DockerContexts, DockerEnv, Endpoint, HostSource};
use serde::Serialize;
use std::path::Path;
use std::sync::RwLock;
use std::time::Duration;
use transport::{Transport, TransportError};
use ts_rs::TS;

/// The oldest engine API Berth works with (Docker 19.03). BuildKit through the API (with a
/// session) and pushes with per-request credentials both work from here on.
pub const MINIMUM_API_VERSION: (u32, u32) = (1, 40);

/// How long the environment check waits for an engine before calling it not running.
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

/// An ssh connection needs longer: the CLI itself gives ssh 30 seconds to connect.
const SSH_PROBE_TIMEOUT: Duration = Duration::from_secs(35);

/// The context chosen on the Environment page, for every connection this process makes. The
/// shell sets it from the settings at start-up and whenever the user picks another.
static CHOSEN_CONTEXT: RwLock<Option<String>> = RwLock::new(None);

/// Uses context `name` from now on (`None`: decide as the docker CLI does).
pub fn choose_context(name: Option<String>) {
    let name = name.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty());
    *CHOSEN_CONTEXT.write().unwrap_or_else(|e| e.into_inner()) = name;
}

/// The context chosen in Berth, if any.
pub fn chosen_context() -> Option<String> {
    CHOSEN_CONTEXT
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .clone()
}

/// What the environment check shows about the engine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DockerEngine {
    pub version: String,
    pub api_version: String,
    pub os: String,
    pub arch: String,
    /// The address in use (`unix:///…`, `tcp://…`, `ssh://…`, `npipe://…`).
    pub host: String,
    /// The docker context it belongs to (`default` for `DOCKER_HOST` and the default socket).
    pub context: String,
    /// How it was chosen.
    pub source: HostSource,
    /// Whether requests to it are encrypted with TLS.
    pub tls: bool,
    /// For a socket found in a well-known place: whose it is (`colima`, `OrbStack`…).
    pub product: Option<String>,
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
    /// bollard, with every request going through [`Engine::transport`].
    pub docker: Docker,
    pub info: DockerEngine,
    pub transport: Transport,
    /// The environment it was found in (BuildKit's session reads registry credentials from
    /// the same docker config).
    pub env: DockerEnv,
}

impl Engine {
    /// `/v1.41` for the negotiated version: the prefix of Berth's own requests.
    pub fn api_prefix(&self) -> String {
        let v = self.docker.client_version();
        format!("/v{}.{}", v.major_version, v.minor_version)
    }
}

/// Checks the engine the environment and the chosen context name, within [`PROBE_TIMEOUT`].
pub async fn probe() -> DockerStatus {
    probe_with(&DockerEnv::from_process(), chosen_context().as_deref()).await
}

/// [`probe`] over an explicit environment.
pub async fn probe_with(env: &DockerEnv, chosen: Option<&str>) -> DockerStatus {
    match connect_with(env, chosen, PROBE_TIMEOUT).await {
        Ok(engine) => DockerStatus::Available {
            engine: engine.info,
        },
        Err(error) => DockerStatus::Unavailable { error },
    }
}

/// A connection for long work to the engine of the process environment and chosen context.
pub async fn engine(timeout: Duration) -> Result<Engine> {
    connect_with(
        &DockerEnv::from_process(),
        chosen_context().as_deref(),
        timeout,
    )
    .await
}

/// Connects to the first engine that answers among the [`discovery::candidates`]. When none
/// does, the error is the first place's, with every place tried listed in `tried`.
pub async fn connect_with(
    env: &DockerEnv,
    chosen: Option<&str>,
    timeout: Duration,
) -> Result<Engine> {
    let candidates = discovery::candidates(env, chosen)?;
    let mut first_error: Option<BerthError> = None;
    let mut tried = Vec::new();
    for endpoint in &candidates {
        tried.push(endpoint.describe());
        match connect(endpoint, env, timeout).await {
            Ok(engine) => return Ok(engine),
            Err(error) => {
                // A well-known socket that exists but does not answer is stale: the first
                // place's error says more.
                if first_error.is_none() {
                    first_error = Some(error);
                }
            }
        }
    }
    let error = first_error.unwrap_or_else(|| BerthError::new(ErrorKind::DockerNotRunning));
    Err(error.with("tried", tried.join("\n")))
}

/// Connects to the engine at `endpoint`, negotiates the API version and reads its version.
/// `timeout` bounds each request (long builds and pushes pass a larger one).
pub async fn connect(endpoint: &Endpoint, env: &DockerEnv, timeout: Duration) -> Result<Engine> {
    let with_place = |kind| {
        BerthError::new(kind)
            .with("host", &endpoint.host)
            .with("hostSource", endpoint.source.as_param())
            .with("context", &endpoint.context)
    };
    let transport = Transport::new(endpoint, env).map_err(|e| match e {
        TransportError::Unsupported(why) => with_place(ErrorKind::DockerHostInvalid).details(why),
        TransportError::Tls(why) => with_place(ErrorKind::DockerTlsFailed).details(why),
    })?;

    // One connection by hand first: it tells a missing socket from a refused one and a
    // certificate problem from a silent host. ssh is left to the first request (each
    // connection is an ssh process; its own message is what the user needs).
    if !transport.is_ssh() {
        match tokio::time::timeout(timeout.min(PROBE_TIMEOUT * 2), transport.dial()).await {
            Ok(Ok(_)) => {}
            Err(_) => {
                return Err(with_place(ErrorKind::DockerNotRunning)
                    .details("the engine did not accept a connection in time"))
            }
            Ok(Err(e)) => return Err(dial_error(e, endpoint, &with_place)),
        }
    }

    let secs = timeout.as_secs().max(1);
    let docker = transport
        .bollard(secs)
        .map_err(|e| with_place(ErrorKind::DockerHostInvalid).details(e))?;
    let request_error = |e: bollard::errors::Error| {
        let text = transport::error_chain(&e);
        if transport.is_ssh() {
            with_place(ErrorKind::DockerSshFailed).details(text)
        } else if endpoint.host.starts_with("tcp://") && looks_like_tls(&text) {
            with_place(ErrorKind::DockerTlsFailed).details(text)
        } else {
            with_place(ErrorKind::DockerNotRunning).details(text)
        }
    };
    let probe_timeout = if transport.is_ssh() {
        SSH_PROBE_TIMEOUT
    } else {
        timeout
    };
    let negotiated = tokio::time::timeout(probe_timeout, async {
        let docker = docker.negotiate_version().await.map_err(request_error)?;
        let version = docker.version().await.map_err(request_error)?;
        Ok::<_, BerthError>((docker, version))
    })
    .await
    .map_err(|_| {
        let kind = if transport.is_ssh() {
            ErrorKind::DockerSshFailed
        } else {
            ErrorKind::DockerNotRunning
        };
        with_place(kind).details(format!(
            "no answer within {} seconds {}",
            probe_timeout.as_secs(),
            transport.ssh_stderr()
        ))
    })?;
    let (docker, version) = negotiated?;

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
            host: endpoint.host.clone(),
            context: endpoint.context.clone(),
            source: endpoint.source,
            tls: endpoint.tls.is_some(),
            product: endpoint.product.clone(),
        },
        transport,
        env: env.clone(),
    })
}

/// What a failed connection means for the user.
fn dial_error(
    e: std::io::Error,
    endpoint: &Endpoint,
    with_place: &dyn Fn(ErrorKind) -> BerthError,
) -> BerthError {
    match e.kind() {
        std::io::ErrorKind::PermissionDenied => {
            with_place(ErrorKind::DockerPermissionDenied).details(e)
        }
        std::io::ErrorKind::NotFound
            if endpoint.source == HostSource::Default && !engine_installed() =>
        {
            with_place(ErrorKind::DockerNotInstalled).details(e)
        }
        std::io::ErrorKind::InvalidData if endpoint.tls.is_some() => {
            with_place(ErrorKind::DockerTlsFailed).details(e)
        }
        _ => with_place(ErrorKind::DockerNotRunning).details(e),
    }
}

/// Whether a failed request was about TLS (a certificate refused, or plain HTTP sent to a TLS
/// port and the other way round).
fn looks_like_tls(text: &str) -> bool {
    let text = text.to_ascii_lowercase();
    [
        "certificate",
        "handshake",
        "tls",
        "alert",
        "https server",
        "invalid http version",
        "invalid content-length",
    ]
    .iter()
    .any(|needle| text.contains(needle))
}

/// Every context of the docker CLI's store, and the one in use.
pub fn contexts() -> DockerContexts {
    discovery::list_contexts(&DockerEnv::from_process(), chosen_context().as_deref())
}

/// Whether a Docker engine or CLI is installed, judged by the programs on PATH.
fn engine_installed() -> bool {
    let Some(path) = std::env::var_os("PATH") else {
        return false;
    };
    std::env::split_paths(&path).any(|dir| {
        [
            "dockerd",
            "docker",
            "com.docker.backend",
            "colima",
            "orb",
            "podman",
        ]
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

    fn endpoint(host: &str, source: HostSource) -> Endpoint {
        Endpoint {
            host: host.to_owned(),
            tls: None,
            context: "default".to_owned(),
            source,
            product: None,
        }
    }

    #[test]
    fn parses_engine_api_versions() {
        assert_eq!(parse_api_version("1.41"), Some((1, 41)));
        assert_eq!(parse_api_version("1.9"), Some((1, 9)));
        assert!(parse_api_version("1.9") < Some(MINIMUM_API_VERSION));
        assert_eq!(parse_api_version("garbage"), None);
    }

    #[tokio::test]
    async fn an_unsupported_scheme_is_an_invalid_host() {
        let env = DockerEnv::default().set("DOCKER_HOST", "ftp://example");
        let err = connect_with(&env, None, Duration::from_secs(1))
            .await
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::DockerHostInvalid);
        assert_eq!(err.param("host"), Some("ftp://example"));
        assert_eq!(err.param("hostSource"), Some("env"));
    }

    #[tokio::test]
    async fn a_missing_socket_named_by_docker_host_is_not_running() {
        let dir = tempfile::tempdir().unwrap();
        let host = format!("unix://{}/docker.sock", dir.path().display());
        let env = DockerEnv::with_home(dir.path()).set("DOCKER_HOST", &host);
        let err = connect_with(&env, None, Duration::from_secs(1))
            .await
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::DockerNotRunning);
        assert_eq!(err.param("hostSource"), Some("env"));
        assert_eq!(
            err.param("tried"),
            Some(format!("{host} (DOCKER_HOST)").as_str())
        );
    }

    #[tokio::test]
    async fn a_stale_socket_file_is_not_running() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("docker.sock");
        drop(std::os::unix::net::UnixListener::bind(&path).unwrap());
        let err = connect(
            &endpoint(&format!("unix://{}", path.display()), HostSource::Default),
            &DockerEnv::default(),
            Duration::from_secs(1),
        )
        .await
        .unwrap_err();
        assert_eq!(err.kind, ErrorKind::DockerNotRunning);
    }

    #[tokio::test]
    async fn every_place_tried_is_named_when_none_answers() {
        // Nothing configured: the default socket, then colima's and OrbStack's (stale files).
        let dir = tempfile::tempdir().unwrap();
        for sock in [".colima/default/docker.sock", ".orbstack/run/docker.sock"] {
            let path = dir.path().join(sock);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            drop(std::os::unix::net::UnixListener::bind(&path).unwrap());
        }
        let env = DockerEnv::with_home(dir.path());
        let candidates = discovery::candidates(&env, None).unwrap();
        assert_eq!(candidates.len(), 3);
        // Skip the machine's real default socket: try the two stale ones only.
        let mut tried = Vec::new();
        for c in &candidates[1..] {
            tried.push(c.describe());
            let err = connect(c, &env, Duration::from_secs(1)).await.unwrap_err();
            assert_eq!(err.kind, ErrorKind::DockerNotRunning);
            assert_eq!(err.param("hostSource"), Some("wellKnown"));
        }
        assert!(tried[0].ends_with("(colima)"), "{tried:?}");
        assert!(tried[1].ends_with("(OrbStack)"), "{tried:?}");
    }
}
