//! What the image tests share: a progress collector, the docker CLI as an independent witness,
//! the fixture folder, a registry of the test's own, and moto clients.

use super::sdk;
pub use super::{stack_var, unique, unique_name};
use berth_core::activity::ActivityLog;
use berth_core::aws::{AwsClients, CredentialSource};
use berth_core::docker::Engine;
use berth_core::progress::{Operation, Progress};
use berth_core::settings::{AccountSettings, PracticeMode, PushedImage};
use berth_core::wizard::image::{self, PushRequest};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Events of one operation, and the handle that cancels it.
pub struct Collected {
    pub op: Operation,
    pub events: Arc<Mutex<Vec<Progress>>>,
    pub cancel: CancellationToken,
}

impl Collected {
    pub fn new() -> Self {
        Self::with_hook(|_| {})
    }

    /// Also calls `hook` with every event as it arrives (to act in the middle of a push).
    pub fn with_hook(hook: impl Fn(&Progress) + Send + Sync + 'static) -> Self {
        let events = Arc::new(Mutex::new(Vec::new()));
        let sink = events.clone();
        let cancel = CancellationToken::new();
        let op = Operation::new(
            Arc::new(move |e: Progress| {
                hook(&e);
                sink.lock().unwrap().push(e);
            }),
            cancel.clone(),
        );
        Collected { op, events, cancel }
    }

    pub fn events(&self) -> Vec<Progress> {
        self.events.lock().unwrap().clone()
    }
}

/// Runs the docker CLI (not Berth's code) against the stack's engine, whatever its answer.
fn docker_output(args: &[&str]) -> Output {
    Command::new("docker")
        .args(args)
        .env("DOCKER_HOST", stack_var("DOCKER_HOST"))
        .output()
        .expect("the docker CLI runs")
}

/// Runs the docker CLI (not Berth's code) against the stack's engine; it must succeed.
pub fn docker(args: &[&str]) -> Output {
    let out = docker_output(args);
    assert!(
        out.status.success(),
        "docker {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

pub fn docker_quiet(args: &[&str]) {
    let _ = Command::new("docker")
        .args(args)
        .env("DOCKER_HOST", stack_var("DOCKER_HOST"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

pub fn fixture_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/image/app")
}

/// Builds a single-layer image of `megabytes` random bytes (unique content, so no registry has
/// its layer yet). Returns its reference.
pub fn random_image(megabytes: u32) -> String {
    let dir = tempfile::tempdir().unwrap();
    let status = Command::new("head")
        .args([
            "-c",
            &format!("{}", u64::from(megabytes) << 20),
            "/dev/urandom",
        ])
        .stdout(std::fs::File::create(dir.path().join("blob")).unwrap())
        .status()
        .unwrap();
    assert!(status.success());
    std::fs::write(
        dir.path().join("Dockerfile"),
        "FROM scratch\nCOPY blob /blob\n",
    )
    .unwrap();
    let reference = format!("{}:big", unique_name("berth-test/random"));
    docker(&[
        "build",
        "-q",
        "-t",
        &reference,
        dir.path().to_str().unwrap(),
    ]);
    reference
}

/// A registry of the test's own (`docker-registry`, htpasswd basic auth), stopped on drop.
pub struct Registry {
    pub address: String,
    child: Option<Child>,
    _dir: tempfile::TempDir,
}

impl Registry {
    pub fn start(user: &str, password: &str) -> Registry {
        let dir = tempfile::tempdir().unwrap();
        let htpasswd = Command::new("htpasswd")
            .args(["-Bbn", user, password])
            .output()
            .expect("htpasswd runs (apt apache2-utils)");
        std::fs::write(dir.path().join("htpasswd"), htpasswd.stdout).unwrap();
        let address = format!("127.0.0.1:{}", super::free_port());
        let config = format!(
            "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: {root}/data\n\
             http:\n  addr: {address}\n  secret: berth-test\nauth:\n  htpasswd:\n    realm: berth-test\n    path: {root}/htpasswd\n",
            root = dir.path().display()
        );
        std::fs::write(dir.path().join("config.yml"), config).unwrap();
        let child = Command::new("docker-registry")
            .args(["serve", dir.path().join("config.yml").to_str().unwrap()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("docker-registry runs (apt docker-registry)");
        let registry = Registry {
            address,
            child: Some(child),
            _dir: dir,
        };
        for _ in 0..200 {
            if registry.status("/v2/", None) == Some(401) {
                return registry;
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        panic!("the test registry did not start on {}", registry.address);
    }

    /// Kills the registry process (as if it crashed).
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    fn status(&self, path: &str, auth: Option<(&str, &str)>) -> Option<u16> {
        http_status(&self.address, path, auth)
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The HTTP status of a GET, with curl.
pub fn http_status(address: &str, path: &str, auth: Option<(&str, &str)>) -> Option<u16> {
    let mut cmd = Command::new("curl");
    cmd.args([
        "-s",
        "--noproxy",
        "*",
        "-o",
        "/dev/null",
        "-w",
        "%{http_code}",
    ]);
    if let Some((user, password)) = auth {
        cmd.args(["-u", &format!("{user}:{password}")]);
    }
    let out = cmd.arg(format!("http://{address}{path}")).output().ok()?;
    String::from_utf8_lossy(&out.stdout).trim().parse().ok()
}

/// The digest a registry serves for `repository:tag`, asked over its HTTP API with curl.
pub fn registry_digest(
    address: &str,
    repository: &str,
    tag: &str,
    user: &str,
    password: &str,
) -> Option<String> {
    let out = Command::new("curl")
        .args([
            "-s",
            "--noproxy",
            "*",
            "-I",
            "-u",
            &format!("{user}:{password}"),
            "-H",
            "Accept: application/vnd.docker.distribution.manifest.v2+json",
            &format!("http://{address}/v2/{repository}/manifests/{tag}"),
        ])
        .output()
        .expect("curl runs");
    let headers = String::from_utf8_lossy(&out.stdout).into_owned();
    if !headers.starts_with("HTTP/1.1 200") {
        return None;
    }
    headers.lines().find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.eq_ignore_ascii_case("docker-content-digest")
            .then(|| value.trim().to_owned())
    })
}

/// AWS clients for the stack's moto, with the keys of the stack's environment.
pub async fn moto_clients() -> AwsClients {
    super::clients_at(&super::moto_url(), CredentialSource::DefaultChain).await
}

/// Creates an ECR repository in moto (what step 3 does).
pub async fn create_repository(clients: &AwsClients, name: &str) {
    sdk::ecr(clients)
        .create_repository()
        .repository_name(name)
        .send()
        .await
        .expect("moto creates the repository");
}

/// Practice mode's account settings: ECR's API answered by the stack's moto, images pushed to
/// `registry`.
pub fn practice_account(registry: &str) -> AccountSettings {
    AccountSettings {
        source: None,
        region: Some("us-east-1".into()),
        practice: PracticeMode {
            enabled: true,
            managed: false,
            endpoint_url: stack_var("BERTH_TEST_MOTO_URL"),
            registry: registry.into(),
        },
    }
}

/// Pushes `reference` through `engine` as `repository:v1` to the stack's registry (creating the
/// repository in moto first) and checks that the registry serves the digest Berth reports.
pub async fn push_to_stack_registry(
    engine: &Engine,
    reference: &str,
    repository: &str,
) -> PushedImage {
    let registry = stack_var("BERTH_TEST_REGISTRY");
    let clients = moto_clients().await;
    create_repository(&clients, repository).await;
    let run = Collected::new();
    let pushed = image::push(
        engine,
        &clients,
        &practice_account(&registry),
        Some(repository),
        &PushRequest {
            image: reference.into(),
            tag: "v1".into(),
        },
        &ActivityLog::in_memory(),
        &run.op,
    )
    .await
    .unwrap_or_else(|e| panic!("Berth pushes {reference}: {e}\n{}", log_text(&run.events())));
    let served = registry_digest(
        &registry,
        repository,
        "v1",
        &stack_var("BERTH_TEST_REGISTRY_USER"),
        &stack_var("BERTH_TEST_REGISTRY_PASSWORD"),
    );
    assert_eq!(Some(pushed.digest.clone()), served);
    pushed
}

/// Extracts the files of `image` (docker create + docker export + tar, not Berth's code).
pub fn export_files(image: &str, into: &Path) {
    // A command of its own: the container is never started, and an image FROM scratch without
    // CMD cannot be created without one.
    let container =
        String::from_utf8(docker(&["create", image, "/berth-never-run"]).stdout).unwrap();
    let container = container.trim();
    let tar = into.with_extension("tar");
    docker(&["export", "-o", tar.to_str().unwrap(), container]);
    docker_quiet(&["rm", "-f", container]);
    std::fs::create_dir_all(into).unwrap();
    let status = Command::new("tar")
        .args(["-xpf", tar.to_str().unwrap(), "--numeric-owner", "-C"])
        .arg(into)
        .status()
        .unwrap();
    assert!(status.success(), "tar -x of the exported image failed");
}

/// What the docker CLI says of an image for a `--format` template.
pub fn inspect(image: &str, format: &str) -> String {
    let out = docker(&["image", "inspect", "--format", format, image]);
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// Runs `image` once with the docker CLI and returns what it printed (stdout and stderr).
pub fn run_once(image: &str, args: &[&str]) -> String {
    let mut all = vec!["run", "--rm", image];
    all.extend_from_slice(args);
    let out = Command::new("docker")
        .args(&all)
        .env("DOCKER_HOST", stack_var("DOCKER_HOST"))
        .output()
        .expect("the docker CLI runs");
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// A copy of a fixture folder in a temporary folder (tests change it, and some files cannot be
/// kept in git: node_modules, .venv, bin/obj).
pub fn fixture_copy(relative: &str) -> tempfile::TempDir {
    let source = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures")
        .join(relative);
    let dir = tempfile::tempdir().unwrap();
    let status = Command::new("cp")
        .args(["-a", &format!("{}/.", source.display())])
        .arg(dir.path())
        .status()
        .unwrap();
    assert!(status.success(), "copying {relative}");
    dir
}

/// The stand-ins for the language images docker init's templates start from, built once per
/// test run with the docker CLI from `tests/fixtures/docker-init/bases` (target → tag).
pub const LANGUAGE_IMAGES: [(&str, &str); 9] = [
    ("node", "berth-test/node:20.11.0-alpine"),
    ("python", "berth-test/python:3.11.4-slim"),
    ("xx", "berth-test/xx:1.3.0"),
    ("rust", "berth-test/rust:1.70.0-alpine"),
    ("alpine", "berth-test/alpine:3.18"),
    ("jdk", "berth-test/eclipse-temurin:17-jdk-jammy"),
    ("jre", "berth-test/eclipse-temurin:17-jre-jammy"),
    ("dotnet-sdk", "berth-test/dotnet-sdk:8.0-alpine"),
    ("dotnet-aspnet", "berth-test/dotnet-aspnet:8.0-alpine"),
];

/// Builds [`LANGUAGE_IMAGES`] (once per process; the docker CLI's cache makes it quick after).
pub fn language_images() {
    static BUILT: Mutex<bool> = Mutex::new(false);
    let mut built = BUILT.lock().unwrap_or_else(|e| e.into_inner());
    if *built {
        return;
    }
    let dir =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/docker-init/bases");
    for (target, tag) in LANGUAGE_IMAGES {
        let args = [
            "build",
            "-q",
            "--target",
            target,
            "-t",
            tag,
            dir.to_str().unwrap(),
        ];
        // The legacy builder reuses untagged intermediate images as its cache; when another test
        // removes an image at that moment (`docker rmi` deletes its untagged parents), a build
        // can fail with "unable to find image sha256:…" (seen once in CI). Built again, the
        // removed layer is simply made anew.
        let first = docker_output(&args);
        if !first.status.success() {
            let stderr = String::from_utf8_lossy(&first.stderr);
            assert!(
                stderr.contains("unable to find image"),
                "docker {args:?} failed: {stderr}"
            );
            docker(&args);
        }
    }
    *built = true;
}

/// Every `Log` line of a run, joined.
pub fn log_text(events: &[Progress]) -> String {
    events
        .iter()
        .filter_map(|e| match e {
            Progress::Log { line } => Some(line.as_str()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A front to the real engine's unix socket that answers `POST /session` with 404 and passes
/// everything else through — an engine without BuildKit, as Podman's Docker API or an old or
/// Windows engine is. Each request is sent with `Connection: close`, so every request arrives
/// on a fresh connection and is looked at.
pub struct SessionlessEngine {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

impl SessionlessEngine {
    pub fn start(docker_host: &str) -> Self {
        use std::os::unix::net::UnixListener;
        let target = docker_host
            .strip_prefix("unix://")
            .expect("the stack's engine is on a unix socket")
            .to_owned();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("engine.sock");
        let listener = UnixListener::bind(&path).unwrap();
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let target = target.clone();
                std::thread::spawn(move || sessionless_connection(client, &target));
            }
        });
        SessionlessEngine { _dir: dir, path }
    }

    pub fn host(&self) -> String {
        format!("unix://{}", self.path.display())
    }
}

fn sessionless_connection(mut client: std::os::unix::net::UnixStream, target: &str) {
    use std::io::{Read, Write};
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match client.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
    }
    let text = String::from_utf8_lossy(&head).into_owned();
    let request_line = text.lines().next().unwrap_or_default().to_owned();
    if request_line.contains("/session") {
        let body = r#"{"message":"page not found"}"#;
        let _ = write!(
            client,
            "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        return;
    }
    let mut rewritten: Vec<String> = text
        .split("\r\n")
        .filter(|l| !l.is_empty() && !l.to_ascii_lowercase().starts_with("connection:"))
        .map(str::to_owned)
        .collect();
    rewritten.push("Connection: close".to_owned());
    let Ok(mut upstream) = std::os::unix::net::UnixStream::connect(target) else {
        return;
    };
    if upstream
        .write_all(format!("{}\r\n\r\n", rewritten.join("\r\n")).as_bytes())
        .is_err()
    {
        return;
    }
    let (Ok(mut up_write), Ok(mut client_read)) = (upstream.try_clone(), client.try_clone()) else {
        return;
    };
    std::thread::spawn(move || {
        let _ = std::io::copy(&mut client_read, &mut up_write);
        let _ = up_write.shutdown(std::net::Shutdown::Write);
    });
    let _ = std::io::copy(&mut upstream, &mut client);
    let _ = client.shutdown(std::net::Shutdown::Both);
}
