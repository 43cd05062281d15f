//! Practice mode: images go to a local registry that stands in for ECR, which the emulator's ECR
//! does not see. Registering the pushed manifest with PutImage makes the image show in the
//! Repositories view and lets Launch find it, as after a real push.

use super::catalogue::ecr;
use super::AwsClients;
use crate::error::{ErrorKind, Result};

/// PutImage of `manifest` under `tag`, with the digest the registry computed for it (the emulator
/// would make up its own otherwise). Registering the same manifest and tag again is not an error.
pub async fn register_image(
    clients: &AwsClients,
    repository: &str,
    tag: &str,
    manifest: &str,
    media_type: &str,
    digest: &str,
) -> Result<Option<String>> {
    let registered = clients
        .call(&ecr::PUT_IMAGE, format!("{repository}:{tag}"))
        .opt("--repository-name", repository)
        .opt("--image-tag", tag)
        .opt("--image-manifest", "file://manifest.json")
        .opt("--image-manifest-media-type", media_type)
        .send(
            clients
                .ecr()
                .put_image()
                .repository_name(repository)
                .image_tag(tag)
                .image_manifest(manifest)
                .image_manifest_media_type(media_type)
                .image_digest(digest)
                .send(),
            |out| {
                Ok(out
                    .image
                    .and_then(|i| i.image_id)
                    .and_then(|id| id.image_digest))
            },
        )
        .await;
    match registered {
        Err(err) if err.kind == ErrorKind::AlreadyExists => Ok(None),
        Err(err) => Err(err.with("resource", "repository").with("name", repository)),
        ok => ok,
    }
}
