//! Which Docker engine to talk to, decided as the docker CLI decides it — over an explicit
//! snapshot of the environment ([`DockerEnv`]), so the decision is a pure function that tests
//! can feed any `~/.docker` and any variables without touching the process environment.
//!
//! The order (docker/cli `resolveContextName` and `resolveDefaultDockerEndpoint`):
//!
//! 1. the context chosen in Berth (remembered in its settings), like `docker --context NAME`;
//! 2. `DOCKER_HOST`, with `DOCKER_TLS_VERIFY` / `DOCKER_TLS` / `DOCKER_CERT_PATH`: the "default"
//!    context built from the environment;
//! 3. `DOCKER_CONTEXT`;
//! 4. `currentContext` in `$DOCKER_CONFIG/config.json` (default `~/.docker/config.json`), which is
//!    how Docker Desktop, colima, OrbStack, Rancher Desktop and Podman Desktop make themselves
//!    found — a desktop app started from a menu never sees the shell's `DOCKER_HOST`;
//! 5. the default socket (`/var/run/docker.sock`, or the `docker_engine` pipe on Windows). Only in
//!    this last case, when nothing at all was configured, Berth also tries the sockets those
//!    products create, in case their context was never made current.
//!
//! A context lives in `<config>/contexts/meta/<sha256 of its name>/meta.json`, its TLS material
//! in `<config>/contexts/tls/<sha256 of its name>/docker/{ca,cert,key}.pem`.

use crate::error::{BerthError, ErrorKind, Result};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use ts_rs::TS;

/// The context the CLI calls "default": `DOCKER_HOST` or the platform's default socket.
pub const DEFAULT_CONTEXT: &str = "default";

/// The variables discovery reads (and the ssh transport passes on to `ssh`).
pub const VARIABLES: [&str; 9] = [
    "DOCKER_HOST",
    "DOCKER_CONTEXT",
    "DOCKER_CONFIG",
    "DOCKER_TLS_VERIFY",
    "DOCKER_TLS",
    "DOCKER_CERT_PATH",
    "XDG_RUNTIME_DIR",
    "XDG_CONFIG_HOME",
    "SSH_AUTH_SOCK",
];

/// What discovery looks at: the variables above and the home folder.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DockerEnv {
    vars: BTreeMap<String, String>,
    home: Option<PathBuf>,
}

impl DockerEnv {
    /// The environment Berth was started with.
    pub fn from_process() -> Self {
        let mut env = DockerEnv {
            vars: BTreeMap::new(),
            home: home_dir(),
        };
        for name in VARIABLES {
            if let Ok(value) = std::env::var(name) {
                env.vars.insert(name.to_owned(), value);
            }
        }
        env
    }

    /// An environment with only this home folder and no variables.
    pub fn with_home(home: impl Into<PathBuf>) -> Self {
        DockerEnv {
            vars: BTreeMap::new(),
            home: Some(home.into()),
        }
    }

    /// The same environment with `name` set to `value`.
    pub fn set(mut self, name: &str, value: impl Into<String>) -> Self {
        self.vars.insert(name.to_owned(), value.into());
        self
    }

    /// A variable, `None` when unset or empty (as the CLI treats an empty `DOCKER_HOST`).
    pub fn var(&self, name: &str) -> Option<&str> {
        self.vars
            .get(name)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
    }

    pub fn home(&self) -> Option<&Path> {
        self.home.as_deref()
    }

    /// `$DOCKER_CONFIG`, else `~/.docker`.
    pub fn config_dir(&self) -> Option<PathBuf> {
        match self.var("DOCKER_CONFIG") {
            Some(dir) => Some(PathBuf::from(dir)),
            None => self.home.as_ref().map(|h| h.join(".docker")),
        }
    }
}

fn home_dir() -> Option<PathBuf> {
    #[cfg(windows)]
    let var = "USERPROFILE";
    #[cfg(not(windows))]
    let var = "HOME";
    std::env::var_os(var)
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
}

/// How the engine was chosen; the error for an engine that does not answer names it, and the
/// Environment page shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum HostSource {
    /// The context chosen on Berth's Environment page.
    Setting,
    /// `DOCKER_HOST`.
    Environment,
    /// `DOCKER_CONTEXT`.
    ContextVariable,
    /// `currentContext` of the docker CLI's `config.json` (`docker context use`).
    ConfigFile,
    /// Nothing configured: the platform's default socket.
    Default,
    /// Nothing configured and the default socket silent: a socket a known product creates.
    WellKnown,
}

impl HostSource {
    /// The value of the `hostSource` error parameter.
    pub fn as_param(self) -> &'static str {
        match self {
            HostSource::Setting => "setting",
            HostSource::Environment => "env",
            HostSource::ContextVariable => "contextEnv",
            HostSource::ConfigFile => "config",
            HostSource::Default => "default",
            HostSource::WellKnown => "wellKnown",
        }
    }
}

/// TLS for a `tcp://` engine: the PEM material and whether the server is verified.
#[derive(Clone, PartialEq, Eq)]
pub struct TlsMaterial {
    pub ca: Option<Vec<u8>>,
    pub cert: Option<Vec<u8>>,
    pub key: Option<Vec<u8>>,
    /// `false` for `DOCKER_TLS` without `DOCKER_TLS_VERIFY`, or a context's `SkipTLSVerify`.
    pub verify: bool,
    /// Where the material came from (a folder), for messages.
    pub origin: String,
}

impl fmt::Debug for TlsMaterial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsMaterial")
            .field("ca", &self.ca.as_ref().map(|c| c.len()))
            .field("cert", &self.cert.as_ref().map(|c| c.len()))
            .field("key", &self.key.as_ref().map(|_| "** redacted **"))
            .field("verify", &self.verify)
            .field("origin", &self.origin)
            .finish()
    }
}

/// One place an engine may answer, and why Berth looks there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// Normalised as the CLI does: `unix:///path`, `npipe:////./pipe/name`, `tcp://host:port`,
    /// `ssh://[user@]host[:port][/socket]`.
    pub host: String,
    /// `Some` for a `tcp://` engine spoken to over TLS.
    pub tls: Option<TlsMaterial>,
    /// The context's name ([`DEFAULT_CONTEXT`] for `DOCKER_HOST` and the default socket).
    pub context: String,
    pub source: HostSource,
    /// For [`HostSource::WellKnown`]: whose socket it is (`colima`, `OrbStack`...).
    pub product: Option<String>,
}

impl Endpoint {
    /// `unix:///var/run/docker.sock (default)`: a line of the "places tried" list.
    pub fn describe(&self) -> String {
        let why = match (self.source, &self.product) {
            (HostSource::WellKnown, Some(product)) => product.clone(),
            (HostSource::Environment, _) => "DOCKER_HOST".to_owned(),
            (HostSource::Default, _) => "default".to_owned(),
            (_, _) => format!("context {}", self.context),
        };
        format!("{} ({why})", self.host)
    }
}

/// The platform's default engine address.
pub fn default_host() -> &'static str {
    if cfg!(windows) {
        "npipe:////./pipe/docker_engine"
    } else {
        "unix:///var/run/docker.sock"
    }
}

const DEFAULT_TLS_HOST: &str = "tcp://localhost:2376";
const DEFAULT_TCP_PORT: &str = "2375";

/// `opts.ParseHost` of the docker CLI: an empty address is the default socket (or
/// `tcp://localhost:2376` when TLS is on), an address without a scheme is TCP, a TCP address
/// without a port gets 2375. `http://` and `https://` are taken as TCP too (Berth has always
/// accepted them). Returns why an address is refused.
pub fn parse_host(raw: &str, default_tls: bool) -> std::result::Result<String, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(if default_tls {
            DEFAULT_TLS_HOST.to_owned()
        } else {
            default_host().to_owned()
        });
    }
    let (scheme, rest) = raw.split_once("://").unwrap_or(("tcp", raw));
    match scheme.to_ascii_lowercase().as_str() {
        "unix" => Ok(if rest.is_empty() {
            "unix:///var/run/docker.sock".to_owned()
        } else {
            format!("unix://{rest}")
        }),
        "npipe" => Ok(if rest.is_empty() {
            "npipe:////./pipe/docker_engine".to_owned()
        } else {
            format!("npipe://{rest}")
        }),
        "tcp" | "http" | "https" => parse_tcp(rest).map(|a| format!("tcp://{a}")),
        "ssh" => {
            let authority = rest.split('/').next().unwrap_or_default();
            let (user, host) = authority.rsplit_once('@').unwrap_or(("", authority));
            if host.is_empty() || host.starts_with(':') {
                return Err("an ssh:// address needs a host name".to_owned());
            }
            if user.contains(':') {
                return Err("an ssh:// address cannot hold a password".to_owned());
            }
            Ok(format!("ssh://{rest}"))
        }
        "fd" => Err("fd:// is an address dockerd listens on, not one a client can use".to_owned()),
        other => Err(format!("{other}:// is not an address of a Docker engine")),
    }
}

/// `host[:port][/]` → `host:port` (`opts.ParseTCPAddr` with `tcp://localhost:2375` as default).
fn parse_tcp(rest: &str) -> std::result::Result<String, String> {
    let rest = rest.trim_end_matches('/');
    if rest.contains('/') {
        return Err("a tcp:// address cannot have a path".to_owned());
    }
    let (host, port) = if let Some(inner) = rest.strip_prefix('[') {
        // [::1]:2375
        let (addr, after) = inner
            .split_once(']')
            .ok_or_else(|| "an IPv6 address needs its closing ]".to_owned())?;
        (format!("[{addr}]"), after.strip_prefix(':').unwrap_or(""))
    } else {
        match rest.rsplit_once(':') {
            Some((h, p)) => (h.to_owned(), p),
            None => (rest.to_owned(), ""),
        }
    };
    let host = if host.is_empty() {
        "localhost".to_owned()
    } else {
        host
    };
    let port = if port.is_empty() {
        DEFAULT_TCP_PORT
    } else {
        port
    };
    port.parse::<u16>()
        .map_err(|_| format!("{port} is not a port number"))?;
    Ok(format!("{host}:{port}"))
}

/// The docker CLI's `config.json`, the parts discovery and credentials need.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct CliConfig {
    #[serde(rename = "currentContext", default)]
    pub current_context: Option<String>,
    #[serde(default)]
    pub auths: BTreeMap<String, AuthEntry>,
    #[serde(rename = "credsStore", default)]
    pub creds_store: Option<String>,
    #[serde(rename = "credHelpers", default)]
    pub cred_helpers: BTreeMap<String, String>,
}

/// One entry of `auths`: `auth` is base64 of `user:password`.
#[derive(Clone, Default, Deserialize)]
pub struct AuthEntry {
    #[serde(default)]
    pub auth: Option<String>,
    #[serde(default, rename = "identitytoken")]
    pub identity_token: Option<String>,
}

impl fmt::Debug for AuthEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AuthEntry(** redacted **)")
    }
}

/// Reads `config.json`; a missing file is an empty config, an unreadable one an error.
pub fn read_cli_config(env: &DockerEnv) -> Result<CliConfig> {
    let Some(dir) = env.config_dir() else {
        return Ok(CliConfig::default());
    };
    let path = dir.join("config.json");
    match std::fs::read(&path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
            BerthError::new(ErrorKind::DockerContextInvalid)
                .with("reason", "config")
                .with("path", path.display().to_string())
                .details(e)
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(CliConfig::default()),
        Err(e) => Err(BerthError::new(ErrorKind::DockerContextInvalid)
            .with("reason", "config")
            .with("path", path.display().to_string())
            .details(e)),
    }
}

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
struct StoredContext {
    name: String,
    description: String,
    endpoint: std::result::Result<Endpoint, BerthError>,
}

fn context_error(name: &str, source: HostSource, reason: &str) -> BerthError {
    BerthError::new(ErrorKind::DockerContextInvalid)
        .with("context", name)
        .with("hostSource", source.as_param())
        .with("reason", reason)
}

/// Reads context `name` from the store (not "default").
fn read_context(env: &DockerEnv, name: &str, source: HostSource) -> Result<StoredContext> {
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

/// The "default" context: `DOCKER_HOST` (or the default socket) with the TLS settings of
/// `DOCKER_TLS_VERIFY`, `DOCKER_TLS` and `DOCKER_CERT_PATH`.
fn default_context(env: &DockerEnv, source: HostSource) -> Result<Endpoint> {
    let verify = env.var("DOCKER_TLS_VERIFY").is_some();
    let use_tls = verify || env.var("DOCKER_TLS").is_some();
    let raw = env.var("DOCKER_HOST").unwrap_or_default();
    let source = if env.var("DOCKER_HOST").is_some() && source == HostSource::Default {
        HostSource::Environment
    } else {
        source
    };
    let host = parse_host(raw, use_tls).map_err(|why| {
        BerthError::new(ErrorKind::DockerHostInvalid)
            .with("host", raw)
            .with("hostSource", source.as_param())
            .details(why)
    })?;
    let tls = (use_tls && host.starts_with("tcp://")).then(|| {
        let dir = env
            .var("DOCKER_CERT_PATH")
            .map(PathBuf::from)
            .or_else(|| env.config_dir())
            .unwrap_or_default();
        let read = |file: &str| std::fs::read(dir.join(file)).ok();
        TlsMaterial {
            ca: read("ca.pem"),
            cert: read("cert.pem"),
            key: read("key.pem"),
            verify,
            origin: dir.display().to_string(),
        }
    });
    Ok(Endpoint {
        host,
        tls,
        context: DEFAULT_CONTEXT.to_owned(),
        source,
        product: None,
    })
}

/// The name of the context to use and why, as `docker context ls` marks it with `*` (plus the
/// context chosen in Berth, which wins like `--context`).
pub fn current_context(env: &DockerEnv, chosen: Option<&str>) -> Result<(String, HostSource)> {
    if let Some(name) = chosen.map(str::trim).filter(|n| !n.is_empty()) {
        return Ok((name.to_owned(), HostSource::Setting));
    }
    if env.var("DOCKER_HOST").is_some() {
        return Ok((DEFAULT_CONTEXT.to_owned(), HostSource::Environment));
    }
    if let Some(name) = env.var("DOCKER_CONTEXT") {
        return Ok((name.to_owned(), HostSource::ContextVariable));
    }
    let config = read_cli_config(env)?;
    match config
        .current_context
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
    {
        Some(name) => Ok((name.to_owned(), HostSource::ConfigFile)),
        None => Ok((DEFAULT_CONTEXT.to_owned(), HostSource::Default)),
    }
}

/// Where to look for the engine, in order: the chosen endpoint, then (only when nothing was
/// configured) the sockets that Docker Desktop, colima, OrbStack, Rancher Desktop and Podman
/// create, if they exist. A broken context is an error that names it.
pub fn candidates(env: &DockerEnv, chosen: Option<&str>) -> Result<Vec<Endpoint>> {
    let (name, source) = current_context(env, chosen)?;
    if name == DEFAULT_CONTEXT {
        let primary = default_context(env, source)?;
        let mut list = vec![primary];
        if list[0].source == HostSource::Default {
            list.extend(well_known_sockets(env));
        }
        return Ok(list);
    }
    read_context(env, &name, source)?.endpoint.map(|e| vec![e])
}

/// Sockets of the products people run Docker with, that exist on this machine.
pub fn well_known_sockets(env: &DockerEnv) -> Vec<Endpoint> {
    let mut found = Vec::new();
    let mut add = |product: &str, path: PathBuf| {
        let host = format!("unix://{}", path.display());
        if path.exists() && !found.iter().any(|e: &Endpoint| e.host == host) {
            found.push(Endpoint {
                host,
                tls: None,
                context: DEFAULT_CONTEXT.to_owned(),
                source: HostSource::WellKnown,
                product: Some(product.to_owned()),
            });
        }
    };
    if let Some(home) = env.home() {
        add("Docker Desktop", home.join(".docker/run/docker.sock"));
        add("Docker Desktop", home.join(".docker/desktop/docker.sock"));
        add("colima", home.join(".colima/default/docker.sock"));
        add("colima", home.join(".config/colima/default/docker.sock"));
        add("OrbStack", home.join(".orbstack/run/docker.sock"));
        add("Rancher Desktop", home.join(".rd/docker.sock"));
        add(
            "Podman",
            home.join(".local/share/containers/podman/machine/podman.sock"),
        );
    }
    if let Some(runtime) = env.var("XDG_RUNTIME_DIR") {
        add("Podman", Path::new(runtime).join("podman/podman.sock"));
    }
    add("Podman", PathBuf::from("/run/podman/podman.sock"));
    found
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes a context the way `docker context create` does.
    fn write_context(config: &Path, name: &str, host: &str, skip_verify: bool) {
        let dir = config.join("contexts/meta").join(context_dir_name(name));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("meta.json"),
            serde_json::json!({
                "Name": name,
                "Metadata": {"Description": format!("{name} engine")},
                "Endpoints": {"docker": {"Host": host, "SkipTLSVerify": skip_verify}}
            })
            .to_string(),
        )
        .unwrap();
    }

    fn home() -> (tempfile::TempDir, DockerEnv) {
        let dir = tempfile::tempdir().unwrap();
        let env = DockerEnv::with_home(dir.path());
        (dir, env)
    }

    #[test]
    fn context_folders_are_the_sha256_of_the_name() {
        // `docker context create colima …` makes this folder.
        assert_eq!(
            context_dir_name("default"),
            "37a8eec1ce19687d132fe29051dca629d164e2c4958ba141d5f4133a33f0688f"
        );
    }

    #[test]
    fn addresses_are_normalised_like_the_cli() {
        let p = |s: &str| parse_host(s, false);
        assert_eq!(p("").unwrap(), default_host());
        assert_eq!(parse_host("", true).unwrap(), "tcp://localhost:2376");
        assert_eq!(p("tcp://10.0.0.2").unwrap(), "tcp://10.0.0.2:2375");
        assert_eq!(p("tcp://:2376").unwrap(), "tcp://localhost:2376");
        assert_eq!(p("10.0.0.2:2376").unwrap(), "tcp://10.0.0.2:2376");
        assert_eq!(p("tcp://[::1]:2376").unwrap(), "tcp://[::1]:2376");
        assert_eq!(p("http://127.0.0.1:2375/").unwrap(), "tcp://127.0.0.1:2375");
        assert_eq!(p("unix://").unwrap(), "unix:///var/run/docker.sock");
        assert_eq!(
            p("unix:///Users/me/.colima/default/docker.sock").unwrap(),
            "unix:///Users/me/.colima/default/docker.sock"
        );
        assert_eq!(
            p("npipe:////./pipe/dockerDesktopLinuxEngine").unwrap(),
            "npipe:////./pipe/dockerDesktopLinuxEngine"
        );
        assert_eq!(
            p("ssh://me@build-box:2222").unwrap(),
            "ssh://me@build-box:2222"
        );
        assert!(p("ssh://").is_err());
        assert!(p("ssh://me:secret@box").is_err());
        assert!(p("fd://").is_err());
        assert!(p("ftp://example").is_err());
        assert!(p("tcp://host:notaport").is_err());
        assert!(p("tcp://host:2375/path").is_err());
    }

    #[test]
    fn with_nothing_configured_the_default_socket_comes_first_then_known_sockets() {
        let (dir, env) = home();
        std::fs::create_dir_all(dir.path().join(".colima/default")).unwrap();
        std::fs::write(dir.path().join(".colima/default/docker.sock"), "").unwrap();
        let list = candidates(&env, None).unwrap();
        assert_eq!(list[0].host, default_host());
        assert_eq!(list[0].source, HostSource::Default);
        let colima = list.iter().find(|e| e.product.as_deref() == Some("colima"));
        let colima = colima.expect("colima's socket is tried");
        assert_eq!(colima.source, HostSource::WellKnown);
        assert!(colima.describe().ends_with("(colima)"));
    }

    #[test]
    fn the_current_context_of_config_json_is_used() {
        let (dir, env) = home();
        let config = dir.path().join(".docker");
        write_context(&config, "colima", "unix:///tmp/colima.sock", false);
        write_context(&config, "remote", "tcp://10.1.2.3:2376", false);
        std::fs::write(config.join("config.json"), r#"{"currentContext":"colima"}"#).unwrap();
        let list = candidates(&env, None).unwrap();
        assert_eq!(
            list.len(),
            1,
            "a configured context is the only place tried"
        );
        assert_eq!(list[0].host, "unix:///tmp/colima.sock");
        assert_eq!(list[0].context, "colima");
        assert_eq!(list[0].source, HostSource::ConfigFile);

        // DOCKER_CONTEXT wins over config.json, DOCKER_HOST over both, Berth's choice over all.
        let env = env.set("DOCKER_CONTEXT", "remote");
        let list = candidates(&env, None).unwrap();
        assert_eq!(
            (list[0].context.as_str(), list[0].source),
            ("remote", HostSource::ContextVariable)
        );
        assert_eq!(list[0].host, "tcp://10.1.2.3:2376");
        assert!(list[0].tls.is_none(), "no TLS material: plain TCP");
        let env = env.set("DOCKER_HOST", "unix:///tmp/env.sock");
        let list = candidates(&env, None).unwrap();
        assert_eq!(
            (list[0].host.as_str(), list[0].source),
            ("unix:///tmp/env.sock", HostSource::Environment)
        );
        let list = candidates(&env, Some("colima")).unwrap();
        assert_eq!(
            (list[0].host.as_str(), list[0].source),
            ("unix:///tmp/colima.sock", HostSource::Setting)
        );
        // Choosing "default" in Berth means DOCKER_HOST (or the default socket).
        let list = candidates(&env, Some("default")).unwrap();
        assert_eq!(list[0].host, "unix:///tmp/env.sock");
    }

    #[test]
    fn a_missing_or_broken_context_is_explained() {
        let (dir, env) = home();
        let config = dir.path().join(".docker");
        std::fs::create_dir_all(&config).unwrap();
        std::fs::write(config.join("config.json"), r#"{"currentContext":"gone"}"#).unwrap();
        let err = candidates(&env, None).unwrap_err();
        assert_eq!(err.kind, ErrorKind::DockerContextInvalid);
        assert_eq!(err.param("context"), Some("gone"));
        assert_eq!(err.param("reason"), Some("notFound"));
        assert_eq!(err.param("hostSource"), Some("config"));

        let meta = config.join("contexts/meta").join(context_dir_name("bad"));
        std::fs::create_dir_all(&meta).unwrap();
        std::fs::write(meta.join("meta.json"), "{not json").unwrap();
        let err = candidates(&env.clone().set("DOCKER_CONTEXT", "bad"), None).unwrap_err();
        assert_eq!(err.param("reason"), Some("unreadable"));
        assert_eq!(err.param("hostSource"), Some("contextEnv"));

        write_context(&config, "ftp", "ftp://nowhere", false);
        let err = candidates(&env, Some("ftp")).unwrap_err();
        assert_eq!(err.param("reason"), Some("host"));

        std::fs::write(config.join("config.json"), "{").unwrap();
        let err = candidates(&env, None).unwrap_err();
        assert_eq!(err.param("reason"), Some("config"));
    }

    #[test]
    fn tls_material_comes_from_the_cert_path_or_the_context_store() {
        let (dir, env) = home();
        let certs = dir.path().join("certs");
        std::fs::create_dir_all(&certs).unwrap();
        std::fs::write(certs.join("ca.pem"), "CA").unwrap();
        std::fs::write(certs.join("cert.pem"), "CERT").unwrap();
        std::fs::write(certs.join("key.pem"), "KEY").unwrap();
        let env = env
            .set("DOCKER_HOST", "tcp://127.0.0.1:2376")
            .set("DOCKER_TLS_VERIFY", "1")
            .set("DOCKER_CERT_PATH", certs.display().to_string());
        let tls = candidates(&env, None).unwrap()[0].tls.clone().unwrap();
        assert_eq!(tls.ca.as_deref(), Some(&b"CA"[..]));
        assert_eq!(tls.key.as_deref(), Some(&b"KEY"[..]));
        assert!(tls.verify);
        assert!(!format!("{tls:?}").contains("KEY"), "the key never shows");

        // DOCKER_TLS without DOCKER_TLS_VERIFY: TLS, server not verified.
        let (dir, env) = home();
        let env = env
            .set("DOCKER_HOST", "tcp://h:2376")
            .set("DOCKER_TLS", "1");
        assert!(
            !candidates(&env, None).unwrap()[0]
                .tls
                .as_ref()
                .unwrap()
                .verify
        );

        let config = dir.path().join(".docker");
        write_context(&config, "secure", "tcp://10.0.0.9:2376", false);
        let tls_dir = config
            .join("contexts/tls")
            .join(context_dir_name("secure"))
            .join("docker");
        std::fs::create_dir_all(&tls_dir).unwrap();
        std::fs::write(tls_dir.join("ca.pem"), "CA2").unwrap();
        let endpoint = &candidates(&env, Some("secure")).unwrap()[0];
        assert_eq!(
            endpoint.tls.as_ref().unwrap().ca.as_deref(),
            Some(&b"CA2"[..])
        );
    }

    #[test]
    fn contexts_are_listed_with_the_one_in_use() {
        let (dir, env) = home();
        let config = dir.path().join(".docker");
        write_context(&config, "orbstack", "unix:///tmp/orb.sock", false);
        write_context(&config, "colima", "unix:///tmp/colima.sock", false);
        let meta = config.join("contexts/meta/garbage");
        std::fs::create_dir_all(&meta).unwrap();
        std::fs::write(meta.join("meta.json"), "][").unwrap();
        std::fs::write(
            config.join("config.json"),
            r#"{"currentContext":"orbstack"}"#,
        )
        .unwrap();
        let list = list_contexts(&env, None);
        let names: Vec<_> = list.contexts.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["default", "colima", "garbage", "orbstack"]);
        assert_eq!(list.current, "orbstack");
        assert_eq!(list.cli_current, "orbstack");
        assert_eq!(list.source, HostSource::ConfigFile);
        assert_eq!(list.contexts[1].description, "colima engine");
        assert!(list.contexts[2].error.is_some());

        let chosen = list_contexts(&env, Some("colima"));
        assert_eq!(
            (chosen.current.as_str(), chosen.source),
            ("colima", HostSource::Setting)
        );
        assert_eq!(chosen.cli_current, "orbstack");
    }
}
