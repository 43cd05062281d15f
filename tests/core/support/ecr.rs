//! ECR tests against the stack's moto: clients in an account of their own (so tests never see
//! each other's repositories), and images registered with PutImage (images pushed to the stack's
//! registry are invisible to moto's DescribeImages).

use super::sdk;
pub use super::{default_account, isolated_account as fresh_account};
use berth_core::aws::AwsClients;
use std::sync::atomic::{AtomicU64, Ordering};

static NEXT: AtomicU64 = AtomicU64::new(0);

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
    let out = sdk::ecr(clients)
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
    sdk::ecr(clients)
        .create_repository()
        .repository_name(name)
        .send()
        .await
        .unwrap_or_else(|e| panic!("creating {name}: {e:?}"));
}

/// Whether the repository exists, asked straight through the SDK.
pub async fn exists(clients: &AwsClients, name: &str) -> bool {
    sdk::ecr(clients)
        .describe_repositories()
        .repository_names(name)
        .send()
        .await
        .is_ok()
}
