//! The BuildKit session: `POST /session` upgraded to HTTP/2 (`h2c`), on which the engine is the
//! gRPC client and Berth the server, as with the docker CLI. Berth serves what a build reads
//! from the client: the folders ([`filesync`](super::filesync)), registry credentials for
//! private base images (from the docker CLI's `config.json` and its credential helpers), and
//! the health check the engine uses to notice a session that went away.

use super::filesync::{self, SyncedDir};
use crate::docker::discovery::{read_cli_config, DockerEnv};
use crate::docker::transport::full_body;
use crate::docker::Engine;
use base64::Engine as _;
use bollard_buildkit_proto::fsutil::types::Packet;
use bollard_buildkit_proto::health::health_check_response::ServingStatus;
use bollard_buildkit_proto::health::health_server::{Health, HealthServer};
use bollard_buildkit_proto::health::{
    HealthCheckRequest, HealthCheckResponse, HealthListRequest, HealthListResponse,
};
use bollard_buildkit_proto::moby::filesync::v1::auth_server::{Auth, AuthServer};
use bollard_buildkit_proto::moby::filesync::v1::file_sync_server::{FileSync, FileSyncServer};
use bollard_buildkit_proto::moby::filesync::v1::{
    CredentialsRequest, CredentialsResponse, FetchTokenRequest, FetchTokenResponse,
    GetTokenAuthorityRequest, GetTokenAuthorityResponse, VerifyTokenAuthorityRequest,
    VerifyTokenAuthorityResponse,
};
use hyper_util::rt::TokioIo;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::pin::Pin;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Response, Status, Streaming};

/// The methods Berth serves, announced to the engine (BuildKit asks only for what is listed).
const METHODS: [&str; 5] = [
    "/moby.filesync.v1.FileSync/DiffCopy",
    "/moby.filesync.v1.Auth/Credentials",
    "/grpc.health.v1.Health/Check",
    "/grpc.health.v1.Health/List",
    "/grpc.health.v1.Health/Watch",
];

/// Why no session could be started.
#[derive(Debug)]
pub enum SessionError {
    /// The engine has no session endpoint (no BuildKit): `why` is its answer.
    Unsupported(String),
    /// The request failed (engine gone, transport broken).
    Failed(std::io::Error),
}

/// A running session; dropping it closes it.
pub struct Session {
    pub id: String,
    /// File bytes sent to the engine so far.
    pub sent: Arc<AtomicU64>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Session {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A random id, as BuildKit's `identity.NewID` makes them (only uniqueness matters).
pub fn new_id() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let seed = format!(
        "{:?}-{}-{}",
        std::time::SystemTime::now(),
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    );
    let digest = Sha256::digest(seed.as_bytes());
    digest.iter().take(13).map(|b| format!("{b:02x}")).collect()
}

/// The key under which the engine keeps a folder's files between builds, so a rebuild sends
/// only what changed (the CLI derives it from the folder's path too).
pub fn shared_key(folder: &std::path::Path) -> String {
    let digest = Sha256::digest(folder.display().to_string().as_bytes());
    digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

/// Opens a session serving `dirs` (by the names the engine asks for: `context`, `dockerfile`).
pub async fn start(
    engine: &Engine,
    dirs: HashMap<String, SyncedDir>,
    name: &str,
    shared_key: &str,
) -> Result<Session, SessionError> {
    let id = new_id();
    let mut request = hyper::Request::post(format!("{}/session", engine.api_prefix()))
        .header("Connection", "Upgrade")
        .header("Upgrade", "h2c")
        .header("X-Docker-Expose-Session-Uuid", &id)
        .header("X-Docker-Expose-Session-Name", name)
        .header("X-Docker-Expose-Session-Sharedkey", shared_key);
    for method in METHODS {
        request = request.header("X-Docker-Expose-Session-Grpc-Method", method);
    }
    let request = request
        .body(full_body(bytes::Bytes::new()))
        .map_err(|e| SessionError::Failed(std::io::Error::other(e)))?;
    let response = engine
        .transport
        .request(request)
        .await
        .map_err(SessionError::Failed)?;
    let status = response.status();
    if status != hyper::StatusCode::SWITCHING_PROTOCOLS {
        let body = crate::image::raw_http::read_body(response)
            .await
            .unwrap_or_default();
        return Err(SessionError::Unsupported(format!(
            "POST /session answered {status}: {}",
            String::from_utf8_lossy(&body).trim()
        )));
    }
    let upgraded = hyper::upgrade::on(response)
        .await
        .map_err(|e| SessionError::Failed(std::io::Error::other(e)))?;
    let io = SessionIo(TokioIo::new(upgraded));
    let sent = Arc::new(AtomicU64::new(0));
    let files = Files {
        dirs: Arc::new(dirs),
        sent: sent.clone(),
    };
    let auth = Credentials {
        env: engine.env.clone(),
    };
    let task = tokio::spawn(async move {
        let _ = tonic::transport::Server::builder()
            .add_service(HealthServer::new(Healthy))
            .add_service(FileSyncServer::new(files))
            .add_service(AuthServer::new(auth))
            .serve_with_incoming(futures_util::stream::iter([Ok::<_, std::io::Error>(io)]))
            .await;
    });
    Ok(Session { id, sent, task })
}

/// The upgraded connection, as tonic's server takes connections.
struct SessionIo(TokioIo<hyper::upgrade::Upgraded>);

impl tonic::transport::server::Connected for SessionIo {
    type ConnectInfo = ();
    fn connect_info(&self) -> Self::ConnectInfo {}
}

impl AsyncRead for SessionIo {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_read(cx, buf)
    }
}

impl AsyncWrite for SessionIo {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.get_mut().0).poll_write(cx, buf)
    }
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_flush(cx)
    }
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_shutdown(cx)
    }
}

struct Healthy;

#[tonic::async_trait]
impl Health for Healthy {
    async fn check(
        &self,
        _request: Request<HealthCheckRequest>,
    ) -> Result<Response<HealthCheckResponse>, Status> {
        Ok(Response::new(HealthCheckResponse {
            status: ServingStatus::Serving as i32,
        }))
    }

    async fn list(
        &self,
        _request: Request<HealthListRequest>,
    ) -> Result<Response<HealthListResponse>, Status> {
        Err(Status::unimplemented("list"))
    }

    type WatchStream = ReceiverStream<Result<HealthCheckResponse, Status>>;

    async fn watch(
        &self,
        _request: Request<HealthCheckRequest>,
    ) -> Result<Response<Self::WatchStream>, Status> {
        Err(Status::unimplemented("watch"))
    }
}

struct Files {
    dirs: Arc<HashMap<String, SyncedDir>>,
    sent: Arc<AtomicU64>,
}

fn metadata_values(request: &Request<Streaming<Packet>>, key: &str) -> Vec<String> {
    request
        .metadata()
        .get_all(key)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(str::to_owned)
        .collect()
}

#[tonic::async_trait]
impl FileSync for Files {
    type DiffCopyStream = ReceiverStream<Result<Packet, Status>>;

    async fn diff_copy(
        &self,
        request: Request<Streaming<Packet>>,
    ) -> Result<Response<Self::DiffCopyStream>, Status> {
        let name = metadata_values(&request, "dir-name")
            .into_iter()
            .next()
            .unwrap_or_default();
        let Some(dir) = self.dirs.get(&name).cloned() else {
            return Err(Status::not_found(format!(
                "no folder {name:?} in this session"
            )));
        };
        let asked = filesync::Request {
            include: metadata_values(&request, "include-patterns"),
            exclude: metadata_values(&request, "exclude-patterns"),
            follow: metadata_values(&request, "followpaths"),
        };
        let (tx, rx) = mpsc::channel(64);
        let sent = self.sent.clone();
        tokio::spawn(filesync::serve(dir, asked, request.into_inner(), tx, sent));
        Ok(Response::new(ReceiverStream::new(rx)))
    }

    type TarStreamStream = ReceiverStream<Result<Packet, Status>>;

    async fn tar_stream(
        &self,
        _request: Request<Streaming<Packet>>,
    ) -> Result<Response<Self::TarStreamStream>, Status> {
        Err(Status::unimplemented("tarstream"))
    }
}

/// Registry credentials for the base images a build pulls, as the docker CLI keeps them.
struct Credentials {
    env: DockerEnv,
}

#[tonic::async_trait]
impl Auth for Credentials {
    async fn credentials(
        &self,
        request: Request<CredentialsRequest>,
    ) -> Result<Response<CredentialsResponse>, Status> {
        let host = request.into_inner().host;
        let env = self.env.clone();
        let found = tokio::task::spawn_blocking(move || registry_credentials(&env, &host))
            .await
            .unwrap_or_default();
        let (username, secret) = found.unwrap_or_default();
        Ok(Response::new(CredentialsResponse { username, secret }))
    }

    async fn fetch_token(
        &self,
        _request: Request<FetchTokenRequest>,
    ) -> Result<Response<FetchTokenResponse>, Status> {
        Err(Status::unimplemented("fetch_token"))
    }

    async fn get_token_authority(
        &self,
        _request: Request<GetTokenAuthorityRequest>,
    ) -> Result<Response<GetTokenAuthorityResponse>, Status> {
        Err(Status::unimplemented("get_token_authority"))
    }

    async fn verify_token_authority(
        &self,
        _request: Request<VerifyTokenAuthorityRequest>,
    ) -> Result<Response<VerifyTokenAuthorityResponse>, Status> {
        Err(Status::unimplemented("verify_token_authority"))
    }
}

/// The docker CLI's credentials for `host`: its credential helper for that registry, else its
/// credential store, else `auths` in `config.json`. `None`: pull anonymously.
pub fn registry_credentials(env: &DockerEnv, host: &str) -> Option<(String, String)> {
    let config = read_cli_config(env).ok()?;
    // Docker Hub is stored under its old index address.
    let key = if matches!(
        host,
        "registry-1.docker.io" | "docker.io" | "index.docker.io"
    ) {
        "https://index.docker.io/v1/".to_owned()
    } else {
        host.to_owned()
    };
    let helper = config
        .cred_helpers
        .get(&key)
        .or(config.creds_store.as_ref())
        .filter(|h| !h.is_empty());
    if let Some(helper) = helper {
        if let Some(found) = credential_helper(env, helper, &key) {
            return Some(found);
        }
    }
    let entry = config.auths.iter().find_map(|(server, entry)| {
        let bare = server
            .trim_start_matches("https://")
            .trim_start_matches("http://")
            .split('/')
            .next()
            .unwrap_or_default();
        (server == &key || bare == key || bare == host).then_some(entry)
    })?;
    if let Some(token) = entry.identity_token.as_ref().filter(|t| !t.is_empty()) {
        return Some((String::new(), token.clone()));
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(entry.auth.as_deref()?.trim())
        .ok()?;
    let decoded = String::from_utf8(decoded).ok()?;
    let (user, password) = decoded.split_once(':')?;
    Some((user.to_owned(), password.to_owned()))
}

/// `docker-credential-<helper> get`, looked for where Docker Desktop and Homebrew install it
/// too (a desktop app's PATH is short).
fn credential_helper(env: &DockerEnv, helper: &str, server: &str) -> Option<(String, String)> {
    let program = format!("docker-credential-{helper}");
    let mut dirs: Vec<std::path::PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    if let Some(home) = env.home() {
        dirs.push(home.join(".docker/bin"));
    }
    dirs.extend(
        [
            "/usr/local/bin",
            "/opt/homebrew/bin",
            "/Applications/Docker.app/Contents/Resources/bin",
        ]
        .map(std::path::PathBuf::from),
    );
    let path = dirs
        .into_iter()
        .map(|d| d.join(&program))
        .find(|p| p.is_file())?;
    let mut child = std::process::Command::new(path)
        .arg("get")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .ok()?;
    {
        use std::io::Write;
        let mut stdin = child.stdin.take()?;
        stdin.write_all(server.as_bytes()).ok()?;
    }
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if std::time::Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(20))
            }
            _ => {
                let _ = child.kill();
                return None;
            }
        }
    }
    let output = child.wait_with_output().ok()?;
    if !output.status.success() {
        return None;
    }
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).ok()?;
    let user = value["Username"].as_str().unwrap_or_default();
    let secret = value["Secret"].as_str().unwrap_or_default().to_owned();
    if user == "<token>" {
        Some((String::new(), secret))
    } else {
        Some((user.to_owned(), secret))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_come_from_config_json() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join(".docker")).unwrap();
        let auth = base64::engine::general_purpose::STANDARD.encode("me:s3cret");
        std::fs::write(
            dir.path().join(".docker/config.json"),
            serde_json::json!({"auths": {
                "https://index.docker.io/v1/": {"auth": auth},
                "registry.example.com": {"identitytoken": "tok"},
            }})
            .to_string(),
        )
        .unwrap();
        let env = DockerEnv::with_home(dir.path());
        assert_eq!(
            registry_credentials(&env, "registry-1.docker.io"),
            Some(("me".into(), "s3cret".into()))
        );
        assert_eq!(
            registry_credentials(&env, "registry.example.com"),
            Some((String::new(), "tok".into()))
        );
        assert_eq!(registry_credentials(&env, "ghcr.io"), None);
    }

    #[test]
    fn shared_keys_are_stable_per_folder() {
        let a = shared_key(std::path::Path::new("/home/me/app"));
        assert_eq!(a, shared_key(std::path::Path::new("/home/me/app")));
        assert_ne!(a, shared_key(std::path::Path::new("/home/me/other")));
        assert_ne!(new_id(), new_id());
    }
}
