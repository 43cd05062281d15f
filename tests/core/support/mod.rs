//! What every area's tests share: the addresses of the real local test stack that
//! `tests/stack/up.sh` started, unique names, and AWS clients for the stack's emulator — in moto's
//! default account or in an account of the test's own, so tests never see each other's resources.

pub mod ecr;
pub mod iam;
pub mod image;
pub mod launch;
pub mod sdk;
pub mod signin;
pub mod ssh_host;
pub mod status;
pub mod tls_engine;

use aws_credential_types::provider::SharedCredentialsProvider;
use aws_credential_types::Credentials;
use berth_core::activity::{ActivityLog, ReadTally};
use berth_core::aws::{AwsClients, AwsTarget, CredentialSource};

/// The region the tests work in unless they say otherwise.
pub const REGION: &str = "us-east-1";

/// A variable the stack's env file sets. Panics with the fix when the stack is not running:
/// these tests exercise real components and must not silently pass without them.
pub fn stack_var(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!(
            "{name} is not set: start the local test stack with `tests/stack/up.sh` and \
             `source /tmp/berth-stack/env` (or run scripts/test.sh, which does both)"
        )
    })
}

pub fn moto_url() -> String {
    stack_var("BERTH_TEST_MOTO_URL")
}

/// A number no other test (in this run or another) uses.
pub fn unique() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    nanos
        .wrapping_mul(6364136223846793005)
        .wrapping_add(u64::from(std::process::id()) << 20)
        .wrapping_add(COUNTER.fetch_add(1, Ordering::Relaxed) * 7919)
}

/// A name no other test run uses, so parallel and repeated runs never collide in the keychain.
pub fn unique_name(prefix: &str) -> String {
    format!(
        "{prefix}-{}-{}",
        std::process::id(),
        unique() % 1_000_000_000
    )
}

/// A random 12-digit account id.
pub fn random_account() -> String {
    format!("{:012}", 100_000_000_000 + unique() % 899_999_999_999)
}

/// Credentials of exactly these keys.
pub fn keys(key_id: &str, secret: &str, token: Option<String>) -> CredentialSource {
    CredentialSource::Provider(SharedCredentialsProvider::new(Credentials::new(
        key_id,
        secret,
        token,
        None,
        "berth-tests",
    )))
}

/// A loopback port where nothing listens (bound, then freed).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Clients of an endpoint where nothing listens: every call fails as unreachable (so an
/// `InvalidInput` answer proves a check happened before any call).
pub async fn unreachable() -> AwsClients {
    clients_at(
        &format!("http://127.0.0.1:{}", free_port()),
        keys("testing-key-id", "testing-secret", None),
    )
    .await
}

/// Clients in `region` sent to `endpoint` (the emulator, or a relay in front of it).
pub async fn clients_in(region: &str, endpoint: &str, source: CredentialSource) -> AwsClients {
    let target = AwsTarget {
        region: region.into(),
        endpoint_url: Some(endpoint.to_owned()),
    };
    AwsClients::new(&target, source).await
}

/// Clients in the tests' region sent to `endpoint`.
pub async fn clients_at(endpoint: &str, source: CredentialSource) -> AwsClients {
    clients_in(REGION, endpoint, source).await
}

/// Clients of the emulator signing with exactly these keys.
pub async fn clients_with(key_id: &str, secret: &str, token: Option<&str>) -> AwsClients {
    clients_at(&moto_url(), keys(key_id, secret, token.map(str::to_owned))).await
}

/// Clients of moto's default account (any key works there while its IAM auth is off).
pub async fn default_account() -> AwsClients {
    clients_with("TESTDEFAULTADMIN0001", "not-a-secret", None).await
}

/// Credentials of an administrator of a fresh, empty account of its own (moto answers an
/// AssumeRole into any account with credentials that see only that account), and its id.
pub async fn isolated_credentials(region: &str) -> (CredentialSource, String) {
    let account = random_account();
    let base = clients_in(
        region,
        &moto_url(),
        keys("TESTDEFAULTADMIN0001", "not-a-secret", None),
    )
    .await;
    let out = sdk::sts(&base)
        .assume_role()
        .role_arn(format!("arn:aws:iam::{account}:role/berth-test-admin"))
        .role_session_name("berth-test")
        .send()
        .await
        .expect("moto assumes a role in another account");
    let c = out.credentials.expect("credentials");
    let source = keys(
        &c.access_key_id,
        &c.secret_access_key,
        Some(c.session_token),
    );
    (source, account)
}

/// Clients of a fresh account of the test's own in `region`, and its id.
pub async fn isolated_account_in(region: &str) -> (AwsClients, String) {
    let (source, account) = isolated_credentials(region).await;
    (clients_in(region, &moto_url(), source).await, account)
}

/// Clients of a fresh account of the test's own in the tests' region, and its id.
pub async fn isolated_account() -> (AwsClients, String) {
    isolated_account_in(REGION).await
}

/// The actions of the log's entries — what changed something — oldest first (e.g.
/// `iam.createRole`). Reads are not entries: see [`reads`].
pub fn changes(log: &ActivityLog) -> Vec<String> {
    log.recent(usize::MAX)
        .into_iter()
        .map(|e| e.action)
        .collect()
}

/// The actions of the reads tallied in the log, one per action and target, in the order of their
/// newest read (e.g. `iam.getRole`).
pub fn reads(log: &ActivityLog) -> Vec<String> {
    log.reads().into_iter().map(|r| r.last.action).collect()
}

/// The tally of `action`'s reads (of any target, the newest read last); panics when there is none.
pub fn read_of(log: &ActivityLog, action: &str) -> ReadTally {
    log.reads()
        .into_iter()
        .rfind(|r| r.last.action == action)
        .unwrap_or_else(|| panic!("no {action} among the reads: {:?}", reads(log)))
}

/// Runs `secret-tool` (libsecret's own client, not Berth's code) on the stack's D-Bus session.
pub fn secret_tool(args: &[&str]) -> std::process::Output {
    stack_var("DBUS_SESSION_BUS_ADDRESS");
    std::process::Command::new("secret-tool")
        .args(args)
        .output()
        .expect("secret-tool runs (apt libsecret-tools)")
}

/// Sets how many more requests moto serves without checking signatures and permissions
/// (`/moto-api/reset-auth`): 0 turns its IAM authorization on now, u32::MAX effectively off.
pub fn set_moto_auth(unauthenticated_actions_left: u64) {
    let url = format!("{}/moto-api/reset-auth", stack_var("BERTH_TEST_MOTO_URL"));
    let status = std::process::Command::new("curl")
        .args(["-sf", "-o", "/dev/null", "-X", "POST"])
        .args(["-H", "Content-Type: text/plain", "--data-raw"])
        .arg(unauthenticated_actions_left.to_string())
        .arg(url)
        .status()
        .expect("curl runs");
    assert!(status.success(), "moto's reset-auth failed");
}

/// Waits until IAM has made the new access key `clients` sign with usable (eventual
/// consistency: AWS says usually within seconds; the backend takes `iam_propagation_s`), asking
/// STS. Panics after a minute.
pub async fn wait_until_usable(clients: &AwsClients) {
    let started = std::time::Instant::now();
    loop {
        match sdk::sts(clients).get_caller_identity().send().await {
            Ok(_) => return,
            Err(e) if started.elapsed() < std::time::Duration::from_secs(60) => {
                let _ = e;
                tokio::time::sleep(std::time::Duration::from_millis(250)).await;
            }
            Err(e) => panic!("the new access key never became usable: {e:?}"),
        }
    }
}

/// POSTs `body` (JSON) to the AWS backend's control endpoint `/berth-api/<path>`; its answer.
pub fn backend_api(path: &str, body: &str) -> serde_json::Value {
    let out = std::process::Command::new("curl")
        .args(["-sf", "--noproxy", "*", "-X", "POST"])
        .args(["-H", "Content-Type: application/json", "--data-raw", body])
        .arg(format!("{}/berth-api/{path}", moto_url()))
        .output()
        .expect("curl runs");
    assert!(
        out.status.success(),
        "POST /berth-api/{path} {body}: {out:?}"
    );
    serde_json::from_slice(&out.stdout).expect("the backend answers JSON")
}

/// Gives `account` ECS's service-linked role (AWSServiceRoleForECS), as every account that has
/// used ECS before has it. A new account has none: its first CreateCluster, CreateService or
/// RunTask is refused until the role exists (tests of Berth making it leave it out).
pub fn give_ecs_linked_role(account: &str) {
    backend_api(
        &format!("accounts/{account}"),
        r#"{"ecs_service_linked_role": true}"#,
    );
}

/// Environment variables changed for the rest of a `serial` test, put back as they were when
/// dropped, so the serial tests after it see the stack's environment.
#[derive(Default)]
pub struct EnvVars(Vec<(String, Option<std::ffi::OsString>)>);

impl EnvVars {
    pub fn set(&mut self, name: &str, value: impl AsRef<std::ffi::OsStr>) {
        self.remember(name);
        std::env::set_var(name, value);
    }

    pub fn remove(&mut self, name: &str) {
        self.remember(name);
        std::env::remove_var(name);
    }

    fn remember(&mut self, name: &str) {
        if !self.0.iter().any(|(n, _)| n == name) {
            self.0.push((name.to_owned(), std::env::var_os(name)));
        }
    }
}

impl Drop for EnvVars {
    fn drop(&mut self) {
        for (name, value) in self.0.drain(..).rev() {
            match value {
                Some(v) => std::env::set_var(&name, v),
                None => std::env::remove_var(&name),
            }
        }
    }
}
