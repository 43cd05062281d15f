//! Engine addresses as the docker CLI writes and normalises them, and the TLS that goes with one.

use super::HostSource;
use std::fmt;

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
