//! What discovery looks at: the docker CLI's variables and the home folder, as one value that tests
//! can build without touching the process environment.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

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
