//! The docker CLI's context store: `<config>/contexts/meta/<sha256 of the name>/meta.json`, with
//! the TLS material in `<config>/contexts/tls/<sha256 of the name>/docker/{ca,cert,key}.pem`.

use super::{
    current_context, default_context, parse_host, DockerEnv, Endpoint, HostSource, TlsMaterial,
    DEFAULT_CONTEXT,
};
use crate::error::{BerthError, ErrorKind, Result};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::Path;
use ts_rs::TS;

/// The folder name of a context in the store: the hex sha256 of its name.
pub fn context_dir_name(name: &str) -> String {
    Sha256::digest(name.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[derive(Debug, Deserialize)]
struct ContextMeta {
    #[serde(rename = "Name", default)]
    name: String,
    #[serde(rename = "Metadata", default)]
    metadata: Option<serde_json::Value>,
    #[serde(rename = "Endpoints", default)]
    endpoints: BTreeMap<String, serde_json::Value>,
}

#[derive(Debug, Deserialize, Default)]
struct DockerEndpointMeta {
    #[serde(rename = "Host", default)]
    host: Option<String>,
    #[serde(rename = "SkipTLSVerify", default)]
    skip_tls_verify: bool,
}

/// A context read from the store.
#[derive(Debug, Clone)]
pub(super) struct StoredContext {
    pub(super) name: String,
    pub(super) description: String,
    pub(super) endpoint: std::result::Result<Endpoint, BerthError>,
}

fn context_error(name: &str, source: HostSource, reason: &str) -> BerthError {
    BerthError::new(ErrorKind::DockerContextInvalid)
        .with("context", name)
        .with("hostSource", source.as_param())
        .with("reason", reason)
}

/// Reads context `name` from the store (not "default").
pub(super) fn read_context(
    env: &DockerEnv,
    name: &str,
    source: HostSource,
) -> Result<StoredContext> {
    let Some(config) = env.config_dir() else {
        return Err(context_error(name, source, "notFound").details("no home folder"));
    };
    let dir = config
        .join("contexts/meta")
        .join(context_dir_name(name))
        .join("meta.json");
    let bytes = std::fs::read(&dir).map_err(|e| {
        let reason = if e.kind() == std::io::ErrorKind::NotFound {
            "notFound"
        } else {
            "unreadable"
        };
        context_error(name, source, reason)
            .with("path", dir.display().to_string())
            .details(e)
    })?;
    let meta: ContextMeta = serde_json::from_slice(&bytes).map_err(|e| {
        context_error(name, source, "unreadable")
            .with("path", dir.display().to_string())
            .details(e)
    })?;
    let description = meta
        .metadata
        .as_ref()
        .and_then(|m| m.get("Description"))
        .and_then(|d| d.as_str())
        .unwrap_or_default()
        .to_owned();
    let endpoint = context_endpoint(env, &config, name, &meta, source)
        .map_err(|e| e.with("path", dir.display().to_string()));
    Ok(StoredContext {
        name: if meta.name.is_empty() {
            name.to_owned()
        } else {
            meta.name
        },
        description,
        endpoint,
    })
}

fn context_endpoint(
    _env: &DockerEnv,
    config: &Path,
    name: &str,
    meta: &ContextMeta,
    source: HostSource,
) -> Result<Endpoint> {
    let docker: DockerEndpointMeta = match meta.endpoints.get("docker") {
        Some(value) => serde_json::from_value(value.clone())
            .map_err(|e| context_error(name, source, "unreadable").details(e))?,
        None => return Err(context_error(name, source, "noEndpoint")),
    };
    let raw = docker.host.unwrap_or_default();
    let host = parse_host(&raw, false).map_err(|why| {
        context_error(name, source, "host")
            .with("host", raw.clone())
            .details(why)
    })?;
    let tls_dir = config
        .join("contexts/tls")
        .join(context_dir_name(name))
        .join("docker");
    let read = |file: &str| std::fs::read(tls_dir.join(file)).ok();
    let (ca, cert, key) = (read("ca.pem"), read("cert.pem"), read("key.pem"));
    let has_material = ca.is_some() || cert.is_some() || key.is_some();
    let tls = (host.starts_with("tcp://") && (has_material || docker.skip_tls_verify)).then(|| {
        TlsMaterial {
            ca,
            cert,
            key,
            verify: !docker.skip_tls_verify,
            origin: tls_dir.display().to_string(),
        }
    });
    Ok(Endpoint {
        host,
        tls,
        context: name.to_owned(),
        source,
        product: None,
    })
}

/// One context, as the Environment page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DockerContext {
    pub name: String,
    pub description: String,
    /// The engine address, or empty when the context cannot be read.
    pub host: String,
    /// Whether it reaches its engine over TLS.
    pub tls: bool,
    /// Why the context cannot be used, when it cannot.
    pub error: Option<BerthError>,
}

/// Every context of the docker CLI's store, and which one Berth uses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DockerContexts {
    pub contexts: Vec<DockerContext>,
    /// The context in use (the chosen one, else the one the docker CLI would use).
    pub current: String,
    pub source: HostSource,
    /// The context the docker CLI would use on its own (`docker context show`).
    pub cli_current: String,
    /// The context chosen in Berth, if any.
    pub chosen: Option<String>,
    /// Where the store is (`~/.docker`).
    pub config_dir: Option<String>,
}

/// Lists the contexts: "default" first, then the store's in name order.
pub fn list_contexts(env: &DockerEnv, chosen: Option<&str>) -> DockerContexts {
    let default = default_context(env, HostSource::Default);
    let mut contexts = vec![DockerContext {
        name: DEFAULT_CONTEXT.to_owned(),
        description: if env.var("DOCKER_HOST").is_some() {
            "DOCKER_HOST".to_owned()
        } else {
            String::new()
        },
        host: default.as_ref().map(|e| e.host.clone()).unwrap_or_default(),
        tls: default.as_ref().is_ok_and(|e| e.tls.is_some()),
        error: default.err(),
    }];
    let mut stored = Vec::new();
    if let Some(meta_dir) = env.config_dir().map(|c| c.join("contexts/meta")) {
        if let Ok(entries) = std::fs::read_dir(&meta_dir) {
            for entry in entries.flatten() {
                let path = entry.path().join("meta.json");
                let Ok(bytes) = std::fs::read(&path) else {
                    continue;
                };
                let name = match serde_json::from_slice::<ContextMeta>(&bytes) {
                    Ok(meta) if !meta.name.is_empty() => meta.name,
                    Ok(_) | Err(_) => {
                        // A file the CLI cannot read either: shown under its folder name.
                        stored.push(DockerContext {
                            name: entry.file_name().to_string_lossy().into_owned(),
                            description: String::new(),
                            host: String::new(),
                            tls: false,
                            error: Some(
                                context_error(
                                    &entry.file_name().to_string_lossy(),
                                    HostSource::Setting,
                                    "unreadable",
                                )
                                .with("path", path.display().to_string()),
                            ),
                        });
                        continue;
                    }
                };
                match read_context(env, &name, HostSource::Setting) {
                    Ok(ctx) => stored.push(DockerContext {
                        name: ctx.name,
                        description: ctx.description,
                        host: ctx
                            .endpoint
                            .as_ref()
                            .map(|e| e.host.clone())
                            .unwrap_or_default(),
                        tls: ctx.endpoint.as_ref().is_ok_and(|e| e.tls.is_some()),
                        error: ctx.endpoint.err(),
                    }),
                    Err(error) => stored.push(DockerContext {
                        name: name.clone(),
                        description: String::new(),
                        host: String::new(),
                        tls: false,
                        error: Some(error),
                    }),
                }
            }
        }
    }
    stored.sort_by(|a, b| a.name.cmp(&b.name));
    contexts.extend(stored);
    let (cli_current, _) = current_context(env, None)
        .unwrap_or_else(|_| (DEFAULT_CONTEXT.to_owned(), HostSource::Default));
    let (current, source) = current_context(env, chosen)
        .unwrap_or_else(|_| (DEFAULT_CONTEXT.to_owned(), HostSource::Default));
    DockerContexts {
        contexts,
        current,
        source,
        cli_current,
        chosen: chosen
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_owned),
        config_dir: env.config_dir().map(|d| d.display().to_string()),
    }
}
