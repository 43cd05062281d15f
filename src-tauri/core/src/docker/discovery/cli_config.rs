//! The docker CLI's `config.json`: the current context and the registry credentials.

use super::DockerEnv;
use crate::error::{BerthError, ErrorKind, Result};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;

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
