//! Reading from a registry directly (the practice registry): the manifest the engine pushed, so
//! it can be registered in the emulator's ECR.

use super::push::RegistryCredentials;
use super::raw_http::{read_body, HttpTarget};
use crate::error::{BerthError, ErrorKind, Result};
use bytes::Bytes;
use http_body_util::Full;

const MANIFEST_TYPES: &str = "application/vnd.docker.distribution.manifest.v2+json, \
     application/vnd.oci.image.manifest.v1+json, \
     application/vnd.docker.distribution.manifest.list.v2+json, \
     application/vnd.oci.image.index.v1+json";

/// A manifest as the registry serves it.
#[derive(Debug, Clone)]
pub struct Manifest {
    pub body: String,
    pub media_type: String,
    /// The registry's `Docker-Content-Digest`.
    pub digest: Option<String>,
}

/// GET `/v2/<repository>/manifests/<reference>` over plain HTTP (practice registries listen on
/// loopback, where the engine also allows plain HTTP).
pub async fn fetch_manifest(
    registry: &str,
    repository: &str,
    reference: &str,
    credentials: &RegistryCredentials,
) -> Result<Manifest> {
    let unreachable = |e: &dyn std::fmt::Display| {
        BerthError::new(ErrorKind::RegistryUnreachable)
            .with("registry", registry)
            .details(e.to_string())
    };
    let request = hyper::Request::get(format!("/v2/{repository}/manifests/{reference}"))
        .header("Accept", MANIFEST_TYPES)
        .header("Authorization", credentials.basic_auth())
        .body(Full::new(Bytes::new()))
        .map_err(BerthError::internal)?;
    let response = HttpTarget::new(&format!("http://{registry}"))
        .send(request)
        .await
        .map_err(|e| unreachable(&e))?;
    let status = response.status();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let media_type = header("content-type").unwrap_or_default();
    let digest = header("docker-content-digest");
    let body = read_body(response).await.map_err(|e| unreachable(&e))?;
    let body = String::from_utf8_lossy(&body).into_owned();
    match status.as_u16() {
        200 => Ok(Manifest {
            body,
            media_type,
            digest,
        }),
        401 | 403 => Err(BerthError::new(ErrorKind::RegistryUnauthorized)
            .with("registry", registry)
            .details(body)),
        404 => Err(BerthError::new(ErrorKind::NotFound)
            .with("resource", "image")
            .with("name", format!("{repository}:{reference}"))
            .details(body)),
        _ => Err(unreachable(&format!("HTTP {status}: {body}"))),
    }
}
