//! ECR tests against the stack's AWS backend: clients in an account of their own (so tests
//! never see each other's repositories), and images really pushed to the stack's registry, where
//! the backend's ECR reads them (it refuses a PutImage of layers that were never pushed, as ECR
//! does). The registry is one for every account: a repository that gets images needs a name no
//! other test uses ([`unique_repository`]).

use super::sdk;
pub use super::{default_account, isolated_account as fresh_account};
use berth_core::aws::AwsClients;

/// A repository name no other test (in this run or an earlier one on the same stack) uses.
pub fn unique_repository(prefix: &str) -> String {
    format!("{prefix}-{}", super::unique() % 1_000_000_000)
}

/// Pushes a new image of `megabytes` MiB of random bytes (so no layer is shared) as
/// `repository:tag`. Returns its digest and its size as ECR reports it: the compressed layers
/// as the registry's manifest lists them (read from the registry, not from ECR).
pub fn push_image(repository: &str, tag: &str, megabytes: u32) -> (String, u64) {
    let local = super::image::random_image(megabytes);
    let digest = super::launch::push_to_registry(&local, repository, tag);
    super::image::docker_quiet(&["rmi", &local]);
    (digest, registry_size(repository, tag))
}

/// The compressed size of `repository:tag`'s layers, from the registry's manifest (curl).
pub fn registry_size(repository: &str, tag: &str) -> u64 {
    let out = std::process::Command::new("curl")
        .args(["-sf", "--noproxy", "*", "-u"])
        .arg(format!(
            "{}:{}",
            super::stack_var("BERTH_TEST_REGISTRY_USER"),
            super::stack_var("BERTH_TEST_REGISTRY_PASSWORD")
        ))
        .args([
            "-H",
            "Accept: application/vnd.docker.distribution.manifest.v2+json",
        ])
        .arg(format!(
            "http://{}/v2/{repository}/manifests/{tag}",
            super::stack_var("BERTH_TEST_REGISTRY")
        ))
        .output()
        .expect("curl runs");
    assert!(out.status.success(), "{out:?}");
    let manifest: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    manifest["layers"]
        .as_array()
        .expect("a manifest with layers")
        .iter()
        .map(|l| l["size"].as_u64().unwrap())
        .sum()
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
