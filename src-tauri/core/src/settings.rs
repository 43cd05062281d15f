//! The user's choices, remembered across restarts in one JSON file in the app's config folder.
//! Never holds a secret: keys live in the keychain, and only a masked key id is kept here.

use crate::error::{BerthError, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use ts_rs::TS;

/// Where AWS credentials come from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum IdentitySource {
    /// A profile of `~/.aws/config` / `~/.aws/credentials`.
    Profile { name: String },
    /// An access key pair Berth saved in the OS keychain under this name.
    Keychain { name: String },
}

/// Practice mode: a local AWS emulator instead of AWS, and a registry for image pushes.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct PracticeMode {
    pub enabled: bool,
    /// e.g. `http://127.0.0.1:5000` (moto, LocalStack).
    pub endpoint_url: String,
    /// `host:port` of a registry that stands in for ECR.
    pub registry: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct AccountSettings {
    pub source: Option<IdentitySource>,
    pub region: Option<String>,
    pub practice: PracticeMode,
}

/// An identity saved in the keychain, as the UI may see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SavedIdentity {
    pub name: String,
    /// `AKIA…WXYZ`.
    pub masked_key_id: String,
    pub has_session_token: bool,
}

/// An image pushed by the Image step, as the Launch step needs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PushedImage {
    /// The ECR repository name.
    pub repository: String,
    pub tag: String,
    /// `sha256:…` of the manifest.
    pub digest: String,
    /// `<account>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag>`: what a task definition names.
    pub uri: String,
    /// `linux/amd64` or `linux/arm64`.
    pub platform: String,
}

/// What the wizard steps after Account remember, so the next step (and a restart) starts from it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct WizardSettings {
    /// The task execution role the IAM step made ready.
    pub execution_role_arn: Option<String>,
    /// The ECR repository chosen or created in the Repository step.
    pub repository: Option<String>,
    /// The last image the Image step pushed.
    pub image: Option<PushedImage>,
}

/// Everything remembered.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Settings {
    pub account: AccountSettings,
    pub identities: Vec<SavedIdentity>,
    pub wizard: WizardSettings,
}

/// The settings file. Writes go to a temporary file first, so a crash never leaves half a file.
#[derive(Debug, Clone)]
pub struct SettingsFile {
    path: PathBuf,
}

impl SettingsFile {
    pub fn in_dir(dir: &Path) -> Self {
        SettingsFile {
            path: dir.join("settings.json"),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The saved settings; defaults when there is no file yet. A file Berth cannot parse is set
    /// aside as `settings.json.unreadable` rather than silently overwritten.
    pub fn load(&self) -> Settings {
        let Ok(text) = std::fs::read_to_string(&self.path) else {
            return Settings::default();
        };
        serde_json::from_str(&text).unwrap_or_else(|_| {
            let _ = std::fs::rename(&self.path, self.path.with_extension("json.unreadable"));
            Settings::default()
        })
    }

    pub fn save(&self, settings: &Settings) -> Result<()> {
        let write = || -> std::io::Result<()> {
            if let Some(dir) = self.path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            let tmp = self.path.with_extension("json.tmp");
            let text = serde_json::to_string_pretty(settings).map_err(std::io::Error::other)?;
            std::fs::write(&tmp, text)?;
            std::fs::rename(&tmp, &self.path)
        };
        write().map_err(|e| BerthError::internal(format!("saving {}: {e}", self.path.display())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_survive_a_save_and_load() {
        let dir = tempfile::tempdir().unwrap();
        let file = SettingsFile::in_dir(&dir.path().join("nested"));
        assert_eq!(file.load(), Settings::default());
        let settings = Settings {
            account: AccountSettings {
                source: Some(IdentitySource::Keychain {
                    name: "work".into(),
                }),
                region: Some("ap-northeast-2".into()),
                practice: PracticeMode {
                    enabled: true,
                    endpoint_url: "http://127.0.0.1:5000".into(),
                    registry: "127.0.0.1:5001".into(),
                },
            },
            identities: vec![SavedIdentity {
                name: "work".into(),
                masked_key_id: "AKIA…WXYZ".into(),
                has_session_token: false,
            }],
            wizard: WizardSettings {
                execution_role_arn: Some(
                    "arn:aws:iam::123456789012:role/ecsTaskExecutionRole".into(),
                ),
                repository: Some("web".into()),
                image: None,
            },
        };
        file.save(&settings).unwrap();
        assert_eq!(
            SettingsFile::in_dir(&dir.path().join("nested")).load(),
            settings
        );
    }

    #[test]
    fn a_file_from_an_older_berth_still_loads() {
        let dir = tempfile::tempdir().unwrap();
        let file = SettingsFile::in_dir(dir.path());
        std::fs::write(file.path(), r#"{"account":{"region":"us-east-1"}}"#).unwrap();
        let loaded = file.load();
        assert_eq!(loaded.account.region.as_deref(), Some("us-east-1"));
        assert_eq!(loaded.wizard, WizardSettings::default());
    }

    #[test]
    fn an_unreadable_file_is_kept_aside_not_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let file = SettingsFile::in_dir(dir.path());
        std::fs::write(file.path(), "{ not json").unwrap();
        assert_eq!(file.load(), Settings::default());
        let kept = std::fs::read_to_string(dir.path().join("settings.json.unreadable")).unwrap();
        assert_eq!(kept, "{ not json");
    }
}
