//! The Settings view: language, theme, refresh interval, tray. (The region is the Account step's.)

use crate::desktop::language;
use crate::state::AppState;
use crate::tray::Tray;
use berth_core::dashboard::monitor::Monitor;
use berth_core::settings::Preferences;
use berth_core::Result;
use std::time::Duration;
use tauri::{AppHandle, Manager};

pub async fn get_preferences(app: &AppHandle) -> Result<Preferences> {
    Ok(app.state::<AppState>().settings().preferences)
}

/// Checks and remembers the preferences, and applies them to the refresh loop and the tray.
pub async fn update_preferences(app: &AppHandle, preferences: Preferences) -> Result<Preferences> {
    preferences.validate()?;
    app.state::<AppState>().update(|s| {
        s.preferences = preferences;
        Ok(())
    })?;
    let monitor = app.state::<Monitor>();
    monitor.set_controls(|c| {
        c.interval = Duration::from_secs(preferences.refresh_interval_secs.into());
        c.tray = preferences.keep_in_tray;
    });
    if let Some(tray) = app.try_state::<Tray>() {
        tray.set_visible(preferences.keep_in_tray);
        tray.set_language(language(&preferences));
        let current = monitor.state();
        tray.show_count(
            language(&preferences),
            current.snapshot.as_ref().map(|s| s.running_tasks),
            current.error.is_some(),
        );
    }
    Ok(preferences)
}
