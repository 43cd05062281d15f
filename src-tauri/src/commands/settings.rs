//! The Settings view: language, theme, refresh interval, tray. (The region is the Account step's.)

use crate::desktop::{language, Desktop};
use crate::state::AppState;
use crate::tray::Tray;
use berth_core::dashboard::monitor::Monitor;
use berth_core::desktop_support::DesktopSupport;
use berth_core::settings::Preferences;
use berth_core::Result;
use std::sync::Arc;
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
        tray.show(app, language(&preferences), &monitor.state());
    }
    Ok(preferences)
}

/// Whether this desktop has a tray host and a notification service (looked for again now).
pub async fn desktop_support(app: &AppHandle) -> Result<DesktopSupport> {
    let desktop = app.state::<Arc<Desktop>>().inner().clone();
    let prefs = app.state::<AppState>().settings().preferences;
    let support = tauri::async_runtime::spawn_blocking(move || {
        desktop.check_tray(&prefs);
        desktop.check_notifications(&prefs);
        desktop.support()
    })
    .await;
    Ok(support.unwrap_or_default())
}
