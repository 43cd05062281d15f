//! What the commands share: the remembered settings, the keychain and the activity log.

use berth_core::activity::ActivityLog;
use berth_core::aws::AwsClients;
use berth_core::credentials::{Keychain, SecretStore};
use berth_core::dashboard::deployments::StatusCache;
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
}

impl AppState {
    pub fn load(config_dir: &Path, data_dir: &Path) -> Self {
        let settings_file = SettingsFile::in_dir(config_dir);
        let settings = settings_file.load();
        AppState {
            settings_file,
            settings: Mutex::new(settings),
            store: Arc::new(Keychain::default()),
            activity: ActivityLog::open(data_dir),
            status_cache: StatusCache::default(),
        }
    }

    pub fn settings(&self) -> Settings {
        self.lock().clone()
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
        self.settings_file.save(&next)?;
        *guard = next;
        Ok(value)
    }

    fn lock(&self) -> MutexGuard<'_, Settings> {
        // A panic while holding the lock leaves valid settings behind: keep going.
        self.settings.lock().unwrap_or_else(|e| e.into_inner())
    }
}
