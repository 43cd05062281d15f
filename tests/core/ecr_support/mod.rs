// Each test binary uses only some of these helpers.
#![allow(dead_code)]

//! ECR tests against the stack's moto: clients in an account of their own (so tests never see
//! each other's repositories), and images registered with PutImage (images pushed to the stack's
//! registry are invisible to moto's DescribeImages).

use super::support;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_credential_types::Credentials;
use berth_core::aws::{AwsClients, AwsTarget, CredentialSource};
use std::sync::atomic::{AtomicU64, Ordering};

pub const REGION: &str = "us-east-1";

fn target() -> AwsTarget {
    AwsTarget {
        region: REGION.into(),
        endpoint_url: Some(support::stack_var("BERTH_TEST_MOTO_URL")),
    }
}

/// Clients of moto's default account, with keys moto accepts (they are not real).
pub async fn default_account() -> AwsClients {
    let keys = Credentials::new(
        "testing-key-id",
        "testing-secret",
        None,
        None,
        "berth-tests",
    );
    AwsClients::new(
        &target(),
        CredentialSource::Provider(SharedCredentialsProvider::new(keys)),
    )
    .await
}

static NEXT: AtomicU64 = AtomicU64::new(0);

/// A 12-digit account id no other test (or run) uses.
fn fresh_account_id() -> String {
    use std::time::{SystemTime, UNIX_EPOCH};
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    let mixed = nanos
        .wrapping_mul(6364136223846793005)
        .wrapping_add(u64::from(std::process::id()) << 20)
        .wrapping_add(NEXT.fetch_add(1, Ordering::Relaxed) * 7919);
    format!("{:012}", 200_000_000_000 + mixed % 700_000_000_000)
}

/// Clients of a fresh moto account (an assumed role in a random account id): its repositories
/// are invisible to every other test.
pub async fn fresh_account() -> (AwsClients, String) {
    let account = fresh_account_id();
    let base = default_account().await;
    let out = base
        .sts()
        .assume_role()
        .role_arn(format!("arn:aws:iam::{account}:role/berth-test"))
        .role_session_name("berth-test")
        .send()
        .await
        .expect("moto's AssumeRole");
    let c = out.credentials().expect("assumed-role credentials");
    let keys = Credentials::new(
        c.access_key_id(),
        c.secret_access_key(),
        Some(c.session_token().to_owned()),
        None,
        "moto-assumed-role",
    );
    let clients = AwsClients::new(
        &target(),
        CredentialSource::Provider(SharedCredentialsProvider::new(keys)),
    )
    .await;
    (clients, account)
}

/// Registers an image of `size` bytes under `tag` (moto reports a manifest's config size as the
/// image size). Returns its digest. Each call makes a distinct image.
pub async fn put_image(clients: &AwsClients, repository: &str, tag: &str, size: u64) -> String {
    let n = NEXT.fetch_add(1, Ordering::Relaxed) + u64::from(std::process::id()) * 1_000_000;
    let manifest = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {
            "mediaType": "application/vnd.docker.container.image.v1+json",
            "size": size,
            "digest": format!("sha256:{:064x}", n * 2 + 1)
        },
        "layers": [{
            "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
            "size": size,
            "digest": format!("sha256:{:064x}", n * 2)
        }]
    });
    let out = clients
        .ecr()
        .put_image()
        .repository_name(repository)
        .image_tag(tag)
        .image_manifest(manifest.to_string())
        .send()
        .await
        .expect("moto's PutImage");
    out.image()
        .and_then(|i| i.image_id())
        .and_then(|id| id.image_digest())
        .expect("PutImage returns a digest")
        .to_owned()
}

/// Creates a bare repository straight through the SDK (not through Berth), as another tool would.
pub async fn create_plain(clients: &AwsClients, name: &str) {
    clients
        .ecr()
        .create_repository()
        .repository_name(name)
        .send()
        .await
        .unwrap_or_else(|e| panic!("creating {name}: {e:?}"));
}

/// Whether the repository exists, asked straight through the SDK.
pub async fn exists(clients: &AwsClients, name: &str) -> bool {
    clients
        .ecr()
        .describe_repositories()
        .repository_names(name)
        .send()
        .await
        .is_ok()
}

/// An endpoint where nothing listens: a call that reached AWS would fail as unreachable, so an
/// `InvalidInput` answer proves the check happened before any call.
pub async fn unreachable() -> AwsClients {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let keys = Credentials::new(
        "testing-key-id",
        "testing-secret",
        None,
        None,
        "berth-tests",
    );
    AwsClients::new(
        &AwsTarget {
            region: REGION.into(),
            endpoint_url: Some(format!("http://127.0.0.1:{port}")),
        },
        CredentialSource::Provider(SharedCredentialsProvider::new(keys)),
    )
    .await
}
