//! The parts practice mode runs, where Berth finds them, and — when one is missing — what exactly
//! is missing and the one command that installs it.
//!
//! - the backend package `berth_moto`, which ships with Berth: `/usr/lib/Berth/practice` from the
//!   .deb, `practice/` in a source checkout, or `BERTH_PRACTICE_DIR`;
//! - a Python environment with the pins of `practice/requirements.txt`:
//!   `$BERTH_CACHE/moto-venv` (`/var/cache/berth/moto-venv`), or `BERTH_PRACTICE_PYTHON`;
//! - `docker-registry` (apt docker-registry) and `htpasswd` (apt apache2-utils) on `PATH`;
//! - a Docker engine that answers (the environment check's own error says how to fix that).
//!
//! `practice/install.sh` installs everything but the engine; the README's first command runs it.

use crate::docker::{self, DockerStatus};
use crate::error::BerthError;
use serde::Serialize;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Duration;
use ts_rs::TS;

/// A part of practice mode that can be missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum PracticePart {
    /// `docker-registry` (apt docker-registry): the registry that stands in for ECR.
    Registry,
    /// `htpasswd` (apt apache2-utils): writes the registry's password file.
    Htpasswd,
    /// The Python environment with the pinned moto and Docker SDK the backend runs in.
    Environment,
    /// Berth's practice backend (`berth_moto`), which comes with Berth itself.
    Backend,
}

impl PracticePart {
    pub fn as_str(self) -> &'static str {
        match self {
            PracticePart::Registry => "registry",
            PracticePart::Htpasswd => "htpasswd",
            PracticePart::Environment => "environment",
            PracticePart::Backend => "backend",
        }
    }
}

/// One missing part and what exactly is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MissingPart {
    pub part: PracticePart,
    /// e.g. "docker-registry is not on PATH", "moto==5.2.5: not installed".
    pub detail: String,
}

/// What the practice button says before it starts anything.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PartsReport {
    pub missing: Vec<MissingPart>,
    /// The one command that installs every missing part. None when nothing is missing, or when
    /// only Berth's own backend is (Berth must be installed again).
    pub install_command: Option<String>,
    /// Why the Docker engine does not answer, when it does not: its own error has the fix.
    pub docker: Option<BerthError>,
}

impl PartsReport {
    pub fn ready(&self) -> bool {
        self.missing.is_empty() && self.docker.is_none()
    }
}

/// Everything practice needs, found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parts {
    /// The folder holding `berth_moto/`, `requirements.txt` and `install.sh`.
    pub package_dir: PathBuf,
    pub python: PathBuf,
    pub registry: PathBuf,
    pub htpasswd: PathBuf,
    /// The Docker engine the backend runs task containers on (`unix://…`, `tcp://…`).
    pub docker_host: String,
}

/// Where to look for the parts.
#[derive(Debug, Clone)]
pub struct PartsLocator {
    /// Folders that may hold the backend package, in order.
    pub package_dirs: Vec<PathBuf>,
    /// The Python of the practice environment.
    pub python: PathBuf,
    /// Where programs are looked up (`PATH`).
    pub search_path: OsString,
}

const CHECK_TIMEOUT: Duration = Duration::from_secs(30);

/// `$BERTH_CACHE/moto-venv`, where `practice/install.sh` puts the environment by default.
pub fn default_venv() -> PathBuf {
    let cache = std::env::var_os("BERTH_CACHE")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/var/cache/berth"));
    cache.join("moto-venv")
}

impl PartsLocator {
    /// The usual places: `BERTH_PRACTICE_DIR`, then the installed app's resources
    /// (`resource_dir/practice`), then the source checkout Berth was built from; the Python of
    /// `BERTH_PRACTICE_PYTHON` or of [`default_venv`]; programs on `PATH`.
    pub fn from_env(resource_dir: Option<&Path>) -> Self {
        let mut package_dirs = Vec::new();
        if let Some(dir) = std::env::var_os("BERTH_PRACTICE_DIR").filter(|v| !v.is_empty()) {
            package_dirs.push(PathBuf::from(dir));
        }
        if let Some(dir) = resource_dir {
            package_dirs.push(dir.join("practice"));
        }
        package_dirs.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../practice"));
        let python = std::env::var_os("BERTH_PRACTICE_PYTHON")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .unwrap_or_else(|| default_venv().join("bin/python"));
        PartsLocator {
            package_dirs,
            python,
            search_path: std::env::var_os("PATH").unwrap_or_default(),
        }
    }

    /// The first folder that holds the backend package.
    pub fn package_dir(&self) -> Option<PathBuf> {
        self.package_dirs
            .iter()
            .find(|d| d.join("berth_moto/__main__.py").is_file() && d.join("install.sh").is_file())
            .map(|d| d.canonicalize().unwrap_or_else(|_| d.clone()))
    }

    /// `name` on the search path.
    pub fn program(&self, name: &str) -> Option<PathBuf> {
        std::env::split_paths(&self.search_path)
            .map(|dir| dir.join(name))
            .find(|p| is_executable(p))
    }

    /// The one command that installs what is missing: `install.sh` beside the package, told
    /// where the environment goes when Berth looks elsewhere than the default.
    pub fn install_command(&self, package_dir: &Path) -> String {
        let script = package_dir.join("install.sh");
        let mut command = format!("bash {}", quote(&script));
        let venv = self
            .python
            .parent()
            .and_then(Path::parent)
            .map(Path::to_path_buf)
            .unwrap_or_default();
        if venv != default_venv() {
            command.push_str(&format!(" --venv {}", quote(&venv)));
        }
        command
    }

    /// Finds every part, or says what is missing.
    pub async fn check(&self) -> std::result::Result<Parts, PartsReport> {
        let mut report = PartsReport::default();
        let docker_host = match docker::probe().await {
            DockerStatus::Available { engine } => engine.host,
            DockerStatus::Unavailable { error } => {
                report.docker = Some(error);
                String::new()
            }
        };
        let package_dir = self.package_dir();
        if package_dir.is_none() {
            report.missing.push(MissingPart {
                part: PracticePart::Backend,
                detail: format!(
                    "berth_moto is not in {}",
                    self.package_dirs
                        .iter()
                        .map(|d| d.display().to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            });
        }
        let registry = self.program("docker-registry");
        if registry.is_none() {
            report.missing.push(MissingPart {
                part: PracticePart::Registry,
                detail: "docker-registry is not on PATH".to_owned(),
            });
        }
        let htpasswd = self.program("htpasswd");
        if htpasswd.is_none() {
            report.missing.push(MissingPart {
                part: PracticePart::Htpasswd,
                detail: "htpasswd is not on PATH".to_owned(),
            });
        }
        if let Some(dir) = &package_dir {
            if let Err(detail) = self.check_environment(dir).await {
                report.missing.push(MissingPart {
                    part: PracticePart::Environment,
                    detail,
                });
            }
        }
        let installable = report
            .missing
            .iter()
            .any(|m| m.part != PracticePart::Backend);
        if installable {
            report.install_command = package_dir.as_deref().map(|d| self.install_command(d));
        }
        match (package_dir, registry, htpasswd) {
            (Some(package_dir), Some(registry), Some(htpasswd)) if report.ready() => Ok(Parts {
                package_dir,
                python: self.python.clone(),
                registry,
                htpasswd,
                docker_host,
            }),
            _ => Err(report),
        }
    }

    /// `python -m berth_moto --check`: the environment has every pin of requirements.txt.
    async fn check_environment(&self, package_dir: &Path) -> std::result::Result<(), String> {
        if !is_executable(&self.python) {
            return Err(format!(
                "no Python environment at {}",
                self.python.display()
            ));
        }
        let mut command = tokio::process::Command::new(&self.python);
        command
            .args(["-m", "berth_moto", "--check"])
            .current_dir(package_dir)
            .env("PYTHONPATH", package_dir)
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .stdin(std::process::Stdio::null())
            .kill_on_drop(true);
        let output = tokio::time::timeout(CHECK_TIMEOUT, command.output())
            .await
            .map_err(|_| format!("{} did not answer in time", self.python.display()))?
            .map_err(|e| format!("{} could not run: {e}", self.python.display()))?;
        if output.status.success() {
            return Ok(());
        }
        let text = if output.stdout.is_empty() {
            String::from_utf8_lossy(&output.stderr).into_owned()
        } else {
            String::from_utf8_lossy(&output.stdout).into_owned()
        };
        let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
        Err(lines[lines.len().saturating_sub(3)..].join("; "))
    }
}

fn is_executable(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        path.metadata()
            .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    {
        path.is_file()
    }
}

fn quote(path: &Path) -> String {
    let text = path.display().to_string();
    shlex::try_quote(&text)
        .map(|q| q.into_owned())
        .unwrap_or(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_install_command_names_the_environment_only_when_it_is_not_the_default() {
        let mut locator = PartsLocator {
            package_dirs: vec![],
            python: default_venv().join("bin/python"),
            search_path: OsString::new(),
        };
        let dir = Path::new("/usr/lib/Berth/practice");
        assert_eq!(
            locator.install_command(dir),
            "bash /usr/lib/Berth/practice/install.sh"
        );
        locator.python = PathBuf::from("/home/me/my venv/bin/python");
        assert_eq!(
            locator.install_command(dir),
            "bash /usr/lib/Berth/practice/install.sh --venv '/home/me/my venv'"
        );
    }

    #[test]
    fn the_source_checkout_is_where_a_development_build_finds_the_backend() {
        let locator = PartsLocator::from_env(None);
        let dir = locator.package_dir().expect("practice/ in the checkout");
        assert!(dir.join("berth_moto/persistence.py").is_file());
        assert!(dir.join("requirements.txt").is_file());
    }
}
