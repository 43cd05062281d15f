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
    /// Berth runs the emulator and the registry itself ("Practice without an AWS account", see
    /// [`crate::practice`]) and signs in with practice keys. Otherwise the two fields below are
    /// an emulator the user runs (Account → Advanced).
    pub managed: bool,
    /// e.g. `http://127.0.0.1:5000` (moto, LocalStack). In managed practice, the running
    /// backend's (filled in while it runs, never saved).
    pub endpoint_url: String,
    /// `host:port` of a registry that stands in for ECR.
    pub registry: String,
}

impl PracticeMode {
    /// Whether Berth's own practice backend is in use.
    pub fn is_managed(&self) -> bool {
        self.enabled && self.managed
    }
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
    /// The first TCP port the image declares with EXPOSE: the Launch step's default port.
    #[serde(default)]
    pub exposed_port: Option<u16>,
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
    /// What the Image step was working from, so after a restart it opens as it was left.
    pub image_draft: Option<ImageDraft>,
    /// The deploy user the IAM step made (teardown offers to remove it).
    pub deploy_user: Option<String>,
}

/// The Image step's choices: the folder read, the tag, and the local image built or chosen.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct ImageDraft {
    /// The image came from the engine's own list instead of a build of the folder.
    pub from_engine: bool,
    /// The folder last read (absolute).
    pub folder: Option<String>,
    /// The Dockerfile path the user gave, relative to the folder; `None`: the default one.
    pub dockerfile: Option<String>,
    pub tag: Option<String>,
    /// The platform last built or pushed.
    pub platform: Option<String>,
    /// The image in the local engine last built or pushed (`repository:tag`) and, when built,
    /// its id: a restart offers it again only while the engine still has that very image.
    pub local_image: Option<String>,
    pub local_image_id: Option<String>,
    /// Bytes of build context the build sent.
    #[ts(type = "number | null")]
    pub context_bytes: Option<u64>,
}

/// The app's colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum Theme {
    /// Follow the system's light or dark mode.
    #[default]
    System,
    Light,
    Dark,
}

/// The languages Berth speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum Language {
    En,
    Ko,
}

/// How the app looks and watches, chosen in Settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct Preferences {
    /// None until the user picks one (the window then follows the system language). The tray and
    /// notifications, drawn by Berth itself, speak it too.
    pub language: Option<Language>,
    pub theme: Theme,
    /// How often the Deployments view, tray and notifications refresh.
    pub refresh_interval_secs: u32,
    /// Closing the window keeps Berth running in the tray, watching and notifying.
    pub keep_in_tray: bool,
    /// Desktop notifications for stops, recoveries and finished deployments.
    pub notifications: bool,
}

impl Default for Preferences {
    fn default() -> Self {
        Preferences {
            language: None,
            theme: Theme::System,
            refresh_interval_secs: crate::dashboard::monitor::DEFAULT_INTERVAL_SECS,
            keep_in_tray: false,
            notifications: true,
        }
    }
}

impl Preferences {
    /// Checks the choices before they are saved.
    pub fn validate(&self) -> Result<()> {
        use crate::dashboard::monitor::{MAX_INTERVAL_SECS, MIN_INTERVAL_SECS};
        if !(MIN_INTERVAL_SECS..=MAX_INTERVAL_SECS).contains(&self.refresh_interval_secs) {
            return Err(BerthError::invalid("refreshInterval", "range")
                .with("min", MIN_INTERVAL_SECS.to_string())
                .with("max", MAX_INTERVAL_SECS.to_string()));
        }
        Ok(())
    }
}

/// Which Docker engine Berth uses.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DockerSettings {
    /// The docker context chosen on the Environment page; `None`: decide as the docker CLI
    /// does (`DOCKER_HOST`, `DOCKER_CONTEXT`, `docker context use`).
    pub context: Option<String>,
}

/// Everything remembered.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Settings {
    pub account: AccountSettings,
    pub identities: Vec<SavedIdentity>,
    /// What the wizard left ready in the real AWS account. Read it through [`Settings::wizard`].
    #[serde(rename = "wizard")]
    pub aws_wizard: WizardSettings,
    /// What the wizard left ready in practice: kept apart, so leaving practice carries nothing
    /// over to the real account (and coming back finds practice as it was).
    pub practice_wizard: WizardSettings,
    pub preferences: Preferences,
    pub docker: DockerSettings,
}

impl Settings {
    /// Whether Berth talks to a practice emulator instead of AWS.
    pub fn in_practice(&self) -> bool {
        self.account.practice.enabled
    }

    /// What the wizard left ready where Berth works now (practice or the real account).
    pub fn wizard(&self) -> &WizardSettings {
        if self.in_practice() {
            &self.practice_wizard
        } else {
            &self.aws_wizard
        }
    }

    pub fn wizard_mut(&mut self) -> &mut WizardSettings {
        if self.in_practice() {
            &mut self.practice_wizard
        } else {
            &mut self.aws_wizard
        }
    }

    /// Reads a settings file's text. A file of a Berth that kept one wizard state for both
    /// targets (no `practiceWizard`) written while practice was on holds practice's state.
    fn parse(text: &str) -> serde_json::Result<Settings> {
        let value: serde_json::Value = serde_json::from_str(text)?;
        let split = value.get("practiceWizard").is_some();
        let mut settings: Settings = serde_json::from_value(value)?;
        if !split && settings.in_practice() {
            settings.practice_wizard = std::mem::take(&mut settings.aws_wizard);
        }
        Ok(settings)
    }
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
        Settings::parse(&text).unwrap_or_else(|_| {
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
                    managed: false,
                    endpoint_url: "http://127.0.0.1:5000".into(),
                    registry: "127.0.0.1:5001".into(),
                },
            },
            identities: vec![SavedIdentity {
                name: "work".into(),
                masked_key_id: "AKIA…WXYZ".into(),
                has_session_token: false,
            }],
            aws_wizard: WizardSettings {
                execution_role_arn: Some(
                    "arn:aws:iam::123456789012:role/ecsTaskExecutionRole".into(),
                ),
                repository: Some("web".into()),
                image: None,
                image_draft: None,
                deploy_user: None,
            },
            practice_wizard: WizardSettings {
                repository: Some("practice-web".into()),
                ..WizardSettings::default()
            },
            preferences: Preferences {
                language: Some(Language::Ko),
                theme: Theme::Dark,
                refresh_interval_secs: 60,
                keep_in_tray: true,
                notifications: false,
            },
            docker: DockerSettings {
                context: Some("colima".into()),
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
        assert_eq!(loaded.aws_wizard, WizardSettings::default());
        assert_eq!(loaded.preferences, Preferences::default());
    }

    #[test]
    fn practice_and_the_real_account_keep_their_own_wizard_state() {
        let mut settings = Settings::default();
        settings.wizard_mut().repository = Some("real".into());
        settings.account.practice.enabled = true;
        assert_eq!(
            settings.wizard().repository,
            None,
            "practice sees nothing of AWS"
        );
        settings.wizard_mut().repository = Some("practice".into());
        settings.account.practice.enabled = false;
        assert_eq!(settings.wizard().repository.as_deref(), Some("real"));
    }

    #[test]
    fn an_older_file_written_in_practice_keeps_its_wizard_state_for_practice() {
        let dir = tempfile::tempdir().unwrap();
        let file = SettingsFile::in_dir(dir.path());
        let older = r#"{"account":{"region":"us-east-1","practice":{"enabled":true,"endpointUrl":"http://127.0.0.1:5000","registry":""}},"wizard":{"repository":"web"}}"#;
        std::fs::write(file.path(), older).unwrap();
        let loaded = file.load();
        assert_eq!(loaded.practice_wizard.repository.as_deref(), Some("web"));
        assert_eq!(loaded.aws_wizard, WizardSettings::default());
        // Written again, the split stays as it is.
        file.save(&loaded).unwrap();
        let mut again = file.load();
        assert_eq!(again, loaded);
        again.account.practice.enabled = false;
        assert_eq!(again.wizard().repository, None);
    }

    #[test]
    fn a_refresh_interval_outside_five_seconds_to_an_hour_is_refused() {
        let mut prefs = Preferences::default();
        assert!(prefs.validate().is_ok());
        prefs.refresh_interval_secs = 2;
        let err = prefs.validate().unwrap_err();
        assert_eq!(err.param("field"), Some("refreshInterval"));
        assert_eq!(err.param("rule"), Some("range"));
        prefs.refresh_interval_secs = 7200;
        assert!(prefs.validate().is_err());
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
