//! Images already in the local engine, as the Image step lists them.

use super::platform::describe;
use crate::docker::Engine;
use crate::error::{BerthError, ErrorKind, Result};
use bollard::query_parameters::ListImagesOptionsBuilder;
use serde::Serialize;
use ts_rs::TS;

/// One tagged local image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LocalImage {
    /// `sha256:…`
    pub id: String,
    /// `repository:tag`.
    pub reference: String,
    /// Seconds since the epoch.
    #[ts(type = "number")]
    pub created: i64,
    #[ts(type = "number")]
    pub size: u64,
    /// `linux/amd64`, `linux/arm64`…
    pub platform: String,
    /// The first TCP port the image declares with EXPOSE.
    pub exposed_port: Option<u16>,
}

/// Every tagged image, newest first.
pub async fn list(engine: &Engine) -> Result<Vec<LocalImage>> {
    let summaries = engine
        .docker
        .list_images(Some(ListImagesOptionsBuilder::default().all(false).build()))
        .await
        .map_err(|e| BerthError::new(ErrorKind::DockerRejected).details(e))?;
    let mut images = Vec::new();
    for summary in summaries {
        let tags: Vec<&String> = summary
            .repo_tags
            .iter()
            .filter(|t| t.as_str() != "<none>:<none>")
            .collect();
        if tags.is_empty() {
            continue;
        }
        // The list has no platform: ask for each image (a local call, a few ms each).
        let Ok(found) = inspect(engine, &summary.id).await else {
            continue;
        };
        for tag in tags {
            images.push(LocalImage {
                reference: tag.clone(),
                created: summary.created,
                ..found.clone()
            });
        }
    }
    images.sort_by(|a, b| {
        b.created
            .cmp(&a.created)
            .then(a.reference.cmp(&b.reference))
    });
    Ok(images)
}

/// One image by id or reference; `NotFound` when the engine has none.
pub async fn inspect(engine: &Engine, reference: &str) -> Result<LocalImage> {
    let image = engine
        .docker
        .inspect_image(reference)
        .await
        .map_err(|e| match e {
            bollard::errors::Error::DockerResponseServerError {
                status_code: 404, ..
            } => BerthError::new(ErrorKind::NotFound)
                .with("resource", "image")
                .with("name", reference),
            other => BerthError::new(ErrorKind::DockerRejected).details(other),
        })?;
    let exposed_port = image
        .config
        .as_ref()
        .and_then(|c| c.exposed_ports.as_ref())
        .and_then(|ports| {
            let mut tcp: Vec<u16> = ports
                .iter()
                .filter_map(|p| p.strip_suffix("/tcp").and_then(|n| n.parse().ok()))
                .collect();
            tcp.sort_unstable();
            tcp.first().copied()
        });
    Ok(LocalImage {
        id: image.id.clone().unwrap_or_default(),
        reference: image
            .repo_tags
            .as_ref()
            .and_then(|t| t.first().cloned())
            .unwrap_or_else(|| reference.to_owned()),
        created: 0,
        size: image.size.unwrap_or_default().max(0) as u64,
        platform: describe(
            image.os.as_deref().unwrap_or("linux"),
            image.architecture.as_deref().unwrap_or_default(),
            image.variant.as_deref(),
        ),
        exposed_port,
    })
}
