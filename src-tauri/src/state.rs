//! What the commands share: the remembered settings, the keychain and the activity log.

use berth_core::activity::ActivityLog;
use berth_core::aws::AwsClients;
use berth_core::credentials::{Keychain, SecretStore};
use berth_core::dashboard::deployments::StatusCache;
use berth_core::practice::{PartsLocator, PracticeManager, PRACTICE_REGION};
use berth_core::settings::{Settings, SettingsFile};
use berth_core::wizard::account;
use berth_core::Result;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

pub struct AppState {
    settings_file: SettingsFile,
    settings: Mutex<Settings>,
    pub store: Arc<dyn SecretStore>,
    pub activity: ActivityLog,
    /// Task definitions and addresses the Deployments view already read.
    pub status_cache: StatusCache,
    /// Berth's own practice backend ("Practice without an AWS account").
    pub practice: PracticeManager,
}

impl AppState {
    pub fn load(config_dir: &Path, data_dir: &Path, resource_dir: Option<&Path>) -> Self {
        let settings_file = SettingsFile::in_dir(config_dir);
        let settings = settings_file.load();
        AppState {
            settings_file,
            settings: Mutex::new(settings),
            store: Arc::new(Keychain::default()),
            activity: ActivityLog::open(data_dir),
            status_cache: StatusCache::default(),
            practice: PracticeManager::new(
                data_dir.join("practice"),
                PartsLocator::from_env(resource_dir),
            ),
        }
    }

    /// The settings, with where Berth's own practice backend answers this run (its ports change
    /// from run to run, so they are never saved).
    pub fn settings(&self) -> Settings {
        let mut settings = self.lock().clone();
        let practice = &mut settings.account.practice;
        if practice.is_managed() {
            let endpoints = self.practice.endpoints();
            practice.endpoint_url = endpoints
                .as_ref()
                .map(|e| e.endpoint_url.clone())
                .unwrap_or_default();
            practice.registry = endpoints.map(|e| e.registry).unwrap_or_default();
            settings.account.region = Some(PRACTICE_REGION.to_owned());
        }
        settings
    }

    /// AWS clients for the saved identity, region and practice mode, recording their calls in
    /// the app's activity log.
    pub async fn aws(&self) -> Result<AwsClients> {
        Ok(
            account::clients_for(&self.settings().account, self.store.clone())
                .await?
                .with_activity(self.activity.clone()),
        )
    }

    /// Changes the settings and writes them to disk; on error nothing changes.
    pub fn update<T>(&self, change: impl FnOnce(&mut Settings) -> Result<T>) -> Result<T> {
        let mut guard = self.lock();
        let mut next = guard.clone();
        let value = change(&mut next)?;
        if next.account.practice.is_managed() {
            // A copy of `settings()` carries this run's ports: they mean nothing next run.
            next.account.practice.endpoint_url.clear();
            next.account.practice.registry.clear();
            next.account.region = guard.account.region.clone();
        }
        self.settings_file.save(&next)?;
        *guard = next;
        Ok(value)
    }

    fn lock(&self) -> MutexGuard<'_, Settings> {
        // A panic while holding the lock leaves valid settings behind: keep going.
        self.settings.lock().unwrap_or_else(|e| e.into_inner())
    }
}
