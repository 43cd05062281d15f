//! The Settings view: language, theme, refresh interval, tray. (The region is the Account step's.)

use crate::desktop::language;
use crate::state::AppState;
use crate::tray::Tray;
use berth_core::dashboard::monitor::Monitor;
use berth_core::settings::Preferences;
use berth_core::Result;
use std::time::Duration;
use tauri::{Manager, State};

#[tauri::command]
pub fn get_preferences(state: State<'_, AppState>) -> Preferences {
    state.settings().preferences
}

/// Checks and remembers the preferences, and applies them to the refresh loop and the tray.
#[tauri::command]
pub fn update_preferences(
    state: State<'_, AppState>,
    monitor: State<'_, Monitor>,
    app: tauri::AppHandle,
    preferences: Preferences,
) -> Result<Preferences> {
    preferences.validate()?;
    state.update(|s| {
        s.preferences = preferences;
        Ok(())
    })?;
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
