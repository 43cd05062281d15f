//! `docker push` through the engine's API with credentials passed per request: no `docker login`,
//! nothing written to `~/.docker/config.json`. The engine's raw JSON stream is read directly so
//! each layer's id, bytes, "already exists" and retries reach the UI (bollard 0.21 drops the
//! layer id). The request goes through the engine's [`Transport`](crate::docker::transport),
//! the same one bollard uses, so a push works over every transport a build does.

use super::raw_http::{read_body, JsonLines};
use crate::docker::transport::full_body;
use crate::docker::Engine;
use crate::error::{BerthError, ErrorKind, Result};
use crate::progress::{LayerProgress, LayerState, Operation, Progress};
use base64::Engine as _;
use bytes::Bytes;
use std::collections::HashMap;
use std::fmt;
use std::time::{Duration, Instant};

/// At most this many layer events a second reach the window.
pub const EVENTS_PER_SECOND: u32 = 10;

/// The push fails when the engine says nothing for this long (it reports progress every few
/// hundred kilobytes, and a retry pause lasts seconds, so this only catches a stuck engine).
pub const SILENCE_LIMIT: Duration = Duration::from_secs(300);

/// Credentials for one registry. `Debug` never shows the password.
#[derive(Clone)]
pub struct RegistryCredentials {
    pub username: String,
    pub password: String,
    /// `host[:port]` of the registry.
    pub server: String,
}

impl fmt::Debug for RegistryCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RegistryCredentials")
            .field("username", &self.username)
            .field("password", &"** redacted **")
            .field("server", &self.server)
            .finish()
    }
}

impl RegistryCredentials {
    /// The `X-Registry-Auth` header the engine expects: base64url of a JSON object.
    fn header(&self) -> String {
        let json = serde_json::json!({
            "username": self.username,
            "password": self.password,
            "serveraddress": self.server,
        });
        base64::engine::general_purpose::URL_SAFE.encode(json.to_string())
    }

    /// `Authorization: Basic …` for talking to the registry directly.
    pub fn basic_auth(&self) -> String {
        let pair = format!("{}:{}", self.username, self.password);
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(pair)
        )
    }
}

/// What the registry stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pushed {
    /// `sha256:…` of the manifest.
    pub digest: String,
    /// The manifest's size in bytes.
    pub size: u64,
}

/// Pushes `name:tag` (a name that starts with the registry host). Progress goes to `op`; dropping
/// the future (cancel) closes the connection, which stops the engine's push.
pub async fn push(
    engine: &Engine,
    name: &str,
    tag: &str,
    credentials: &RegistryCredentials,
    op: &Operation,
) -> Result<Pushed> {
    let path = format!(
        "{}/images/{}/push?tag={}",
        engine.api_prefix(),
        name,
        urlencode(tag)
    );
    let request = hyper::Request::post(path)
        .header("X-Registry-Auth", credentials.header())
        .header("Content-Type", "application/json")
        .body(full_body(Bytes::new()))
        .map_err(BerthError::internal)?;
    let response = engine.transport.request(request).await.map_err(|e| {
        BerthError::new(ErrorKind::DockerNotRunning)
            .with("host", &engine.info.host)
            .details(e)
    })?;
    let status = response.status();
    if !status.is_success() {
        let body = read_body(response).await.unwrap_or_default();
        let message = serde_json::from_slice::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| v["message"].as_str().map(str::to_owned))
            .unwrap_or_else(|| String::from_utf8_lossy(&body).into_owned());
        return Err(if status.as_u16() == 404 {
            BerthError::new(ErrorKind::NotFound)
                .with("resource", "image")
                .with("name", format!("{name}:{tag}"))
                .details(message)
        } else {
            BerthError::new(ErrorKind::DockerRejected).details(message)
        });
    }

    let mut lines = JsonLines::new(response);
    let mut layers = Layers::default();
    let mut pushed: Option<Pushed> = None;
    let interval = Duration::from_secs(1) / EVENTS_PER_SECOND;
    let mut last_flush = Instant::now();
    loop {
        let next = tokio::time::timeout(SILENCE_LIMIT, lines.next())
            .await
            .map_err(|_| {
                registry_error(ErrorKind::RegistryUnreachable, &credentials.server)
                    .details("the engine reported no progress for five minutes")
            })?;
        let Some(message) = next else { break };
        let message = message.map_err(|e| {
            registry_error(ErrorKind::RegistryUnreachable, &credentials.server).details(e)
        })?;
        if let Some(error) = message.get("errorDetail").or_else(|| message.get("error")) {
            flush(&mut layers, op);
            let text = error
                .get("message")
                .and_then(|m| m.as_str())
                .or_else(|| error.as_str())
                .unwrap_or("the push failed")
                .to_owned();
            return Err(classify_push_error(&text, &credentials.server, tag));
        }
        if let Some(aux) = message.get("aux") {
            if let Some(digest) = aux.get("Digest").and_then(|d| d.as_str()) {
                pushed = Some(Pushed {
                    digest: digest.to_owned(),
                    size: aux.get("Size").and_then(|s| s.as_u64()).unwrap_or(0),
                });
            }
            continue;
        }
        let status = message["status"].as_str().unwrap_or_default();
        match message.get("id").and_then(|i| i.as_str()) {
            Some(id) => {
                if let Some(retry) = layers.update(id, status, &message["progressDetail"]) {
                    op.emit(Progress::Retrying {
                        item: id.to_owned(),
                        message: retry,
                    });
                }
            }
            None if !status.is_empty() => op.emit(Progress::Log {
                line: status.to_owned(),
            }),
            None => {}
        }
        if last_flush.elapsed() >= interval {
            flush(&mut layers, op);
            last_flush = Instant::now();
        }
    }
    flush(&mut layers, op);
    pushed.ok_or_else(|| {
        BerthError::new(ErrorKind::PushFailed)
            .with("message", "the engine ended the push without a digest")
            .with("registry", &credentials.server)
    })
}

fn flush(layers: &mut Layers, op: &Operation) {
    let changed = layers.take_changed();
    if !changed.is_empty() {
        op.emit(Progress::Layers { layers: changed });
    }
}

/// Each layer's latest state, and which changed since the last event.
#[derive(Default)]
struct Layers {
    order: Vec<String>,
    by_id: HashMap<String, LayerProgress>,
    changed: Vec<String>,
}

impl Layers {
    /// Applies one engine message; returns the retry message when the engine will retry.
    fn update(&mut self, id: &str, status: &str, detail: &serde_json::Value) -> Option<String> {
        let entry = self.by_id.entry(id.to_owned()).or_insert_with(|| {
            self.order.push(id.to_owned());
            LayerProgress {
                id: id.to_owned(),
                state: LayerState::Preparing,
                done: 0,
                total: None,
            }
        });
        let mut retry = None;
        match status {
            "Preparing" => entry.state = LayerState::Preparing,
            "Waiting" => entry.state = LayerState::Waiting,
            "Pushing" => {
                entry.state = LayerState::Pushing;
                if let Some(total) = detail["total"].as_u64().filter(|t| *t > 0) {
                    entry.total = Some(total);
                }
                if let Some(current) = detail["current"].as_u64() {
                    // The engine counts tar headers too, so `current` can pass `total`.
                    entry.done = entry.total.map_or(current, |t| current.min(t));
                }
            }
            "Pushed" => {
                entry.state = LayerState::Pushed;
                entry.done = entry.total.unwrap_or(entry.done);
            }
            "Layer already exists" | "Mounted from" => entry.state = LayerState::Exists,
            s if s.starts_with("Mounted from") => entry.state = LayerState::Exists,
            s if s.starts_with("Retrying") => {
                entry.state = LayerState::Retrying;
                retry = Some(s.to_owned());
            }
            _ => {}
        }
        if !self.changed.iter().any(|c| c == id) {
            self.changed.push(id.to_owned());
        }
        retry
    }

    fn take_changed(&mut self) -> Vec<LayerProgress> {
        let changed = std::mem::take(&mut self.changed);
        self.order
            .iter()
            .filter(|id| changed.contains(id))
            .filter_map(|id| self.by_id.get(id).cloned())
            .collect()
    }
}

fn registry_error(kind: ErrorKind, registry: &str) -> BerthError {
    BerthError::new(kind).with("registry", registry)
}

/// Turns the engine's push error text into what the user must do.
pub fn classify_push_error(message: &str, registry: &str, tag: &str) -> BerthError {
    let text = message.to_ascii_lowercase();
    let kind = if text.contains("token has expired") || text.contains("expired token") {
        ErrorKind::RegistryTokenExpired
    } else if text.contains("unauthorized")
        || text.contains("authentication required")
        || text.contains("no basic auth credentials")
        || text.contains("denied")
    {
        ErrorKind::RegistryUnauthorized
    } else if text.contains("cannot be overwritten because the repository is immutable")
        || text.contains("tag invalid")
    {
        ErrorKind::TagImmutable
    } else if [
        "connection refused",
        "no such host",
        "i/o timeout",
        "dial tcp",
        "connection reset",
        "eof",
        "tls handshake",
        "network is unreachable",
        "server gave http response",
        "service unavailable",
        "bad gateway",
    ]
    .iter()
    .any(|needle| text.contains(needle))
    {
        ErrorKind::RegistryUnreachable
    } else {
        ErrorKind::PushFailed
    };
    let err = registry_error(kind, registry).details(message);
    match kind {
        ErrorKind::TagImmutable => err.with("tag", tag),
        ErrorKind::PushFailed => err.with("message", message),
        _ => err,
    }
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn credentials_never_show_in_debug_output() {
        let c = RegistryCredentials {
            username: "AWS".into(),
            password: "s3cret-token".into(),
            server: "127.0.0.1:5000".into(),
        };
        assert!(!format!("{c:?}").contains("s3cret"));
        let decoded = base64::engine::general_purpose::URL_SAFE
            .decode(c.header())
            .unwrap();
        let json: serde_json::Value = serde_json::from_slice(&decoded).unwrap();
        assert_eq!(json["serveraddress"], "127.0.0.1:5000");
        assert_eq!(json["password"], "s3cret-token");
    }

    #[test]
    fn layer_states_follow_the_engine_messages() {
        let mut layers = Layers::default();
        layers.update("aaa", "Preparing", &json!({}));
        layers.update("bbb", "Preparing", &json!({}));
        layers.update("aaa", "Pushing", &json!({"current": 100, "total": 1000}));
        layers.update("bbb", "Layer already exists", &json!({}));
        let changed = layers.take_changed();
        assert_eq!(changed.len(), 2);
        assert_eq!(changed[0].state, LayerState::Pushing);
        assert_eq!((changed[0].done, changed[0].total), (100, Some(1000)));
        assert_eq!(changed[1].state, LayerState::Exists);
        assert!(layers.take_changed().is_empty(), "nothing changed since");

        layers.update("aaa", "Pushing", &json!({"current": 1200, "total": 1000}));
        assert_eq!(
            layers.take_changed()[0].done,
            1000,
            "clamped to the layer size"
        );
        let retry = layers.update("aaa", "Retrying in 5 seconds", &json!({}));
        assert_eq!(retry.as_deref(), Some("Retrying in 5 seconds"));
        layers.update("aaa", "Pushed", &json!({}));
        let last = layers.take_changed();
        assert_eq!(last[0].state, LayerState::Pushed);
        assert_eq!(last[0].done, 1000);
    }

    #[test]
    fn push_errors_say_what_happened() {
        let kind = |m: &str| classify_push_error(m, "r:5000", "v1").kind;
        assert_eq!(
            kind("unauthorized: authentication required"),
            ErrorKind::RegistryUnauthorized
        );
        assert_eq!(
            kind("denied: Your authorization token has expired. Reauthenticate and try again."),
            ErrorKind::RegistryTokenExpired
        );
        assert_eq!(
            kind("Put \"http://127.0.0.1:5000/v2/x/blobs/uploads/\": dial tcp 127.0.0.1:5000: connect: connection refused"),
            ErrorKind::RegistryUnreachable
        );
        assert_eq!(
            kind("tag invalid: The image tag 'v1' already exists in the 'web' repository and cannot be overwritten because the repository is immutable."),
            ErrorKind::TagImmutable
        );
        let other = classify_push_error("manifest invalid", "r:5000", "v1");
        assert_eq!(other.kind, ErrorKind::PushFailed);
        assert_eq!(other.param("message"), Some("manifest invalid"));
    }
}
