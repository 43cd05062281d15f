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

mod cli_config;
mod env;
mod host;
mod store;

pub use cli_config::{read_cli_config, AuthEntry, CliConfig};
pub use env::{DockerEnv, VARIABLES};
pub use host::{default_host, parse_host, Endpoint, TlsMaterial};
use store::read_context;
pub use store::{context_dir_name, list_contexts, DockerContext, DockerContexts};

use crate::error::{BerthError, ErrorKind, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use ts_rs::TS;

/// The context the CLI calls "default": `DOCKER_HOST` or the platform's default socket.
pub const DEFAULT_CONTEXT: &str = "default";

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
