//! Starts, checks and stops the practice backend and its registry.
//!
//! Everything lives in one folder (the app's data folder + `practice/`): `state.pickle` (the
//! practice accounts, written by the backend when it stops), `registry/` (the images pushed),
//! the run's config and logs, and `run.json` (the token and pids of the run, so a start after a
//! crash ends what that run left).

use super::parts::{Parts, PartsLocator, PartsReport};
use super::process;
use crate::aws::{sts, AwsClients, AwsTarget, CredentialSource};
use crate::error::{BerthError, ErrorKind, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use ts_rs::TS;

/// How long the backend may take to answer (moto's import and the saved state's load take a few
/// seconds on a slow machine).
const START_TIMEOUT: Duration = Duration::from_secs(90);
/// How long the backend gets to save its state and remove its containers after SIGTERM.
const STOP_GRACE: Duration = Duration::from_secs(20);
/// ECR's user name; the password is made per run.
const REGISTRY_USER: &str = "AWS";

/// Where the running practice backend answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PracticeEndpoints {
    /// e.g. `http://127.0.0.1:41234`: every AWS client in practice goes there.
    pub endpoint_url: String,
    /// `127.0.0.1:PORT`: the registry that stands in for ECR.
    pub registry: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum PracticeState {
    Stopped,
    Running,
}

/// What the practice button shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PracticeStatus {
    pub state: PracticeState,
    pub endpoints: Option<PracticeEndpoints>,
    /// Whether practice data from an earlier run is kept (it is loaded on the next start).
    pub has_saved_data: bool,
}

/// What `run.json` remembers of a run.
#[derive(Debug, Serialize, Deserialize)]
struct RunFile {
    token: String,
    pids: Vec<u32>,
}

struct Running {
    token: String,
    backend: Child,
    registry: Child,
    endpoints: PracticeEndpoints,
}

impl Running {
    fn pids(&self) -> Vec<u32> {
        vec![self.backend.id(), self.registry.id()]
    }
}

/// Berth's practice backend: at most one run at a time.
pub struct PracticeManager {
    dir: PathBuf,
    locator: PartsLocator,
    running: tokio::sync::Mutex<Option<Running>>,
    /// The running endpoints, readable without waiting for a start or stop in progress.
    current: std::sync::Mutex<Option<PracticeEndpoints>>,
}

impl PracticeManager {
    /// A manager keeping its data in `dir` (created on the first start).
    pub fn new(dir: impl Into<PathBuf>, locator: PartsLocator) -> Self {
        PracticeManager {
            dir: dir.into(),
            locator,
            running: tokio::sync::Mutex::new(None),
            current: std::sync::Mutex::new(None),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file the backend keeps the practice accounts in.
    pub fn state_file(&self) -> PathBuf {
        self.dir.join("state.pickle")
    }

    /// Where the backend answers, when it runs.
    pub fn endpoints(&self) -> Option<PracticeEndpoints> {
        self.current
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub fn status(&self) -> PracticeStatus {
        let endpoints = self.endpoints();
        PracticeStatus {
            state: if endpoints.is_some() {
                PracticeState::Running
            } else {
                PracticeState::Stopped
            },
            endpoints,
            has_saved_data: self.state_file().is_file(),
        }
    }

    /// What is missing, if anything, before a start is tried.
    pub async fn check_parts(&self) -> PartsReport {
        match self.locator.check().await {
            Ok(_) => PartsReport::default(),
            Err(report) => report,
        }
    }

    /// Starts the backend and the registry (or answers where they run already), waits until both
    /// answer and the practice keys sign in.
    pub async fn start(&self) -> Result<PracticeEndpoints> {
        let mut running = self.running.lock().await;
        if let Some(run) = running.as_mut() {
            if exited(&mut run.backend).is_none() && exited(&mut run.registry).is_none() {
                return Ok(run.endpoints.clone());
            }
            // A part stopped on its own: end the rest and start again.
            let run = running.take().expect("checked above");
            self.end(run).await;
        }
        let parts = self.locator.check().await.map_err(missing_error)?;
        std::fs::create_dir_all(&self.dir).map_err(|e| failed("folder", e))?;
        self.end_crashed_run().await;
        let mut run = self.spawn(&parts)?;
        let ready = self.wait_ready(&mut run).await;
        match ready {
            Ok(()) => {
                *self.current.lock().unwrap_or_else(|e| e.into_inner()) =
                    Some(run.endpoints.clone());
                let endpoints = run.endpoints.clone();
                *running = Some(run);
                Ok(endpoints)
            }
            Err(e) => {
                self.end(run).await;
                Err(e)
            }
        }
    }

    /// Stops the backend (which saves the practice accounts and removes its task containers)
    /// and the registry. Nothing to do when practice does not run.
    pub async fn stop(&self) {
        let mut running = self.running.lock().await;
        *self.current.lock().unwrap_or_else(|e| e.into_inner()) = None;
        if let Some(run) = running.take() {
            self.end(run).await;
        }
    }

    /// Stops practice and forgets its data: the accounts and the pushed images.
    pub async fn reset(&self) -> Result<()> {
        self.stop().await;
        for path in [self.state_file(), self.dir.join("registry")] {
            let removed = if path.is_dir() {
                std::fs::remove_dir_all(&path)
            } else {
                std::fs::remove_file(&path)
            };
            match removed {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(failed("folder", e));
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn spawn(&self, parts: &Parts) -> Result<Running> {
        let token = process::random_hex().map_err(|e| failed("folder", e))?;
        let [backend_port, registry_port] = free_ports().map_err(|e| failed("backend", e))?;
        let registry = format!("127.0.0.1:{registry_port}");
        let password = process::random_hex().map_err(|e| failed("folder", e))?;

        // The registry: basic auth with what ECR's GetAuthorizationToken hands out this run.
        let htpasswd = Command::new(&parts.htpasswd)
            .args(["-Bbn", REGISTRY_USER, &password])
            .stdin(Stdio::null())
            .output()
            .map_err(|e| failed("registry", e))?;
        if !htpasswd.status.success() {
            return Err(failed(
                "registry",
                String::from_utf8_lossy(&htpasswd.stderr).trim(),
            ));
        }
        write_private(&self.dir.join("htpasswd"), &htpasswd.stdout)?;
        write_private(&self.dir.join(".registry-password"), password.as_bytes())?;
        let storage = self.dir.join("registry");
        std::fs::create_dir_all(&storage).map_err(|e| failed("registry", e))?;
        let config = format!(
            "version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: {storage}\n  \
             delete:\n    enabled: true\nhttp:\n  addr: {registry}\n  secret: {token}\nauth:\n  htpasswd:\n    \
             realm: berth-practice\n    path: {htpasswd}\n",
            storage = yaml_quote(&storage),
            htpasswd = yaml_quote(&self.dir.join("htpasswd")),
        );
        write_private(&self.dir.join("registry.yml"), config.as_bytes())?;
        let log = log_file(&self.dir, "registry")?;
        let mut command = Command::new(&parts.registry);
        command
            .arg("serve")
            .arg(self.dir.join("registry.yml"))
            .stdin(Stdio::null())
            .stdout(log.try_clone().map_err(|e| failed("registry", e))?)
            .stderr(log);
        let registry_child = process::spawn(command, &token).map_err(|e| failed("registry", e))?;

        // The backend: the practice accounts from the state file, tasks on the local engine.
        let log = log_file(&self.dir, "backend")?;
        let mut command = Command::new(&parts.python);
        command
            .args(["-m", "berth_moto", "--host", "127.0.0.1", "--port"])
            .arg(backend_port.to_string())
            .args(["--registry", &registry, "--registry-user", REGISTRY_USER])
            .arg("--registry-password-file")
            .arg(self.dir.join(".registry-password"))
            .arg("--instance")
            .arg(format!("berth-practice-{}", &token[..12]))
            .arg("--state-file")
            .arg(self.state_file())
            .current_dir(&parts.package_dir)
            .env("PYTHONPATH", &parts.package_dir)
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .env("DOCKER_HOST", &parts.docker_host)
            .env("no_proxy", "127.0.0.1,localhost")
            .env("NO_PROXY", "127.0.0.1,localhost")
            .stdin(Stdio::null())
            .stdout(log.try_clone().map_err(|e| failed("backend", e))?)
            .stderr(log);
        // The backend needs no AWS settings of the user's: none reaches it.
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("AWS_") {
                command.env_remove(&name);
            }
        }
        let backend = match process::spawn(command, &token) {
            Ok(child) => child,
            Err(e) => {
                let mut registry_child = registry_child;
                process::signal(registry_child.id(), process::SIGKILL);
                let _ = registry_child.wait();
                return Err(failed("backend", e));
            }
        };
        let run = Running {
            token,
            backend,
            registry: registry_child,
            endpoints: PracticeEndpoints {
                endpoint_url: format!("http://127.0.0.1:{backend_port}"),
                registry,
            },
        };
        let record = RunFile {
            token: run.token.clone(),
            pids: run.pids(),
        };
        let json = serde_json::to_vec(&record).map_err(BerthError::internal)?;
        write_private(&self.dir.join("run.json"), &json)?;
        Ok(run)
    }

    /// Polls until the registry and the backend answer, then signs in with the practice keys.
    async fn wait_ready(&self, run: &mut Running) -> Result<()> {
        let deadline = tokio::time::Instant::now() + START_TIMEOUT;
        let backend_addr = run
            .endpoints
            .endpoint_url
            .trim_start_matches("http://")
            .to_owned();
        let (mut registry_up, mut backend_up) = (false, false);
        while !(registry_up && backend_up) {
            if let Some(status) = exited(&mut run.registry) {
                return Err(self.stopped("registry", status));
            }
            if let Some(status) = exited(&mut run.backend) {
                return Err(self.stopped("backend", status));
            }
            if tokio::time::Instant::now() > deadline {
                let part = if registry_up { "backend" } else { "registry" };
                return Err(failed(part, "no answer in time").details(self.log_tail(part)));
            }
            // Without credentials the registry answers 401: it runs, with its password.
            registry_up =
                registry_up || http_status(&run.endpoints.registry, "/v2/").await == Some(401);
            backend_up = backend_up || http_status(&backend_addr, "/moto-api/").await == Some(200);
            if !(registry_up && backend_up) {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
        let clients = practice_clients(&run.endpoints.endpoint_url).await;
        let who = sts::caller_identity(&clients)
            .await
            .map_err(|e| failed("backend", "the practice keys did not sign in").details(e))?;
        if who.account != super::PRACTICE_ACCOUNT {
            return Err(failed(
                "backend",
                format!("signed in to account {}", who.account),
            ));
        }
        Ok(())
    }

    async fn end(&self, mut run: Running) {
        process::end(&run.pids(), &run.token, STOP_GRACE).await;
        let _ = run.backend.wait();
        let _ = run.registry.wait();
        let _ = std::fs::remove_file(self.dir.join("run.json"));
        let _ = std::fs::remove_file(self.dir.join(".registry-password"));
    }

    /// Ends what a run of a Berth that crashed (or was killed before its children noticed)
    /// left running.
    async fn end_crashed_run(&self) {
        let path = self.dir.join("run.json");
        let Ok(text) = std::fs::read(&path) else {
            return;
        };
        if let Ok(run) = serde_json::from_slice::<RunFile>(&text) {
            process::end(&run.pids, &run.token, STOP_GRACE).await;
        }
        let _ = std::fs::remove_file(path);
    }

    fn stopped(&self, part: &str, status: std::process::ExitStatus) -> BerthError {
        failed(part, format!("stopped during start ({status})")).details(self.log_tail(part))
    }

    /// The end of a part's log, for an error's details.
    pub fn log_tail(&self, part: &str) -> String {
        let text =
            std::fs::read_to_string(self.dir.join(format!("{part}.log"))).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(15)..].join("\n")
    }
}

/// AWS clients signed with the practice keys, for the backend at `url`.
pub async fn practice_clients(url: &str) -> AwsClients {
    let target = AwsTarget {
        region: super::PRACTICE_REGION.to_owned(),
        endpoint_url: Some(url.to_owned()),
    };
    AwsClients::new(&target, CredentialSource::Practice).await
}

fn missing_error(report: PartsReport) -> BerthError {
    if let Some(docker) = report.docker {
        return docker;
    }
    let parts: Vec<&str> = report.missing.iter().map(|m| m.part.as_str()).collect();
    let details: Vec<String> = report.missing.iter().map(|m| m.detail.clone()).collect();
    BerthError::new(ErrorKind::PracticePartsMissing)
        .with("parts", parts.join(", "))
        .with(
            "command",
            report
                .install_command
                .unwrap_or_else(|| "sudo apt install --reinstall berth".to_owned()),
        )
        .details(details.join("\n"))
}

fn failed(part: &str, why: impl std::fmt::Display) -> BerthError {
    BerthError::new(ErrorKind::PracticeFailed)
        .with("part", part)
        .with("reason", why.to_string())
}

fn exited(child: &mut Child) -> Option<std::process::ExitStatus> {
    child.try_wait().ok().flatten()
}

/// Two free loopback ports (bound at once, so they differ, then released for the parts).
fn free_ports() -> std::io::Result<[u16; 2]> {
    let a = std::net::TcpListener::bind("127.0.0.1:0")?;
    let b = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok([a.local_addr()?.port(), b.local_addr()?.port()])
}

fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(|e| failed("folder", e))?;
    file.write_all(bytes).map_err(|e| failed("folder", e))
}

/// A part's log for this run only (stdout and stderr share it), so it never grows run after run.
fn log_file(dir: &Path, part: &str) -> Result<std::fs::File> {
    let path = dir.join(format!("{part}.log"));
    std::fs::OpenOptions::new()
        .create(true)
        .write(true)
        .truncate(true)
        .open(path)
        .map_err(|e| failed(part, e))
}

fn yaml_quote(path: &Path) -> String {
    serde_json::to_string(&path.display().to_string()).unwrap_or_default()
}

/// The status code of `GET path` on `addr` (host:port), or None when nothing answers.
async fn http_status(addr: &str, path: &str) -> Option<u16> {
    let exchange = async {
        let mut stream = tokio::net::TcpStream::connect(addr).await.ok()?;
        let request = format!("GET {path} HTTP/1.0\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).await.ok()?;
        let mut head = [0u8; 64];
        let mut read = 0;
        while read < 12 {
            let n = stream.read(&mut head[read..]).await.ok()?;
            if n == 0 {
                break;
            }
            read += n;
        }
        let line = std::str::from_utf8(&head[..read]).ok()?;
        line.split_whitespace().nth(1)?.parse().ok()
    };
    tokio::time::timeout(Duration::from_secs(2), exchange)
        .await
        .ok()
        .flatten()
}
