//! What the image tests share: a progress collector, the docker CLI as an independent witness,
//! the fixture folder, a registry of the test's own, and moto clients.

use super::sdk;
pub use super::{stack_var, unique_name};
use berth_core::aws::{AwsClients, CredentialSource};
use berth_core::progress::{Operation, Progress};
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

/// Runs the docker CLI (not Berth's code) against the stack's engine.
pub fn docker(args: &[&str]) -> Output {
    let out = Command::new("docker")
        .args(args)
        .env("DOCKER_HOST", stack_var("DOCKER_HOST"))
        .output()
        .expect("the docker CLI runs");
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

/// Extracts the files of `image` (docker create + docker export + tar, not Berth's code).
pub fn export_files(image: &str, into: &Path) {
    let container = String::from_utf8(docker(&["create", image]).stdout).unwrap();
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
