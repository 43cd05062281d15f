//! Where the refresh loop's results go outside the core: the window (through the `deployments`
//! job), the tray, and desktop notifications.

use crate::state::AppState;
use crate::tray::Tray;
use berth_core::dashboard::deployments::{take_snapshot, FollowedTask, StatusEvent};
use berth_core::dashboard::monitor::{MonitorSink, MonitorState, SnapshotFuture, SnapshotSource};
use berth_core::desktop_text;
use berth_core::jobs::Job;
use berth_core::settings::{Language, Preferences};
use tauri::{AppHandle, Manager};

/// The language of what Berth draws itself: the chosen one, else the system's.
pub fn language(prefs: &Preferences) -> Language {
    prefs.language.unwrap_or_else(|| {
        let system = std::env::var("LC_ALL")
            .or_else(|_| std::env::var("LC_MESSAGES"))
            .or_else(|_| std::env::var("LANG"))
            .unwrap_or_default();
        if system.to_ascii_lowercase().starts_with("ko") {
            Language::Ko
        } else {
            Language::En
        }
    })
}

/// Snapshots for the saved account and region, read afresh each time (a change in the Account
/// step applies from the next refresh).
pub struct AccountSource(pub AppHandle);

impl SnapshotSource for AccountSource {
    fn snapshot<'a>(&'a self, followed: &'a [FollowedTask]) -> SnapshotFuture<'a> {
        Box::pin(async move {
            let state = self.0.state::<AppState>();
            let clients = state.aws().await?;
            take_snapshot(&clients, &state.status_cache, followed).await
        })
    }
}

pub struct DesktopSink {
    pub app: AppHandle,
    /// The Deployments watch, which the window's view attaches to.
    pub window: Job<MonitorState>,
}

impl MonitorSink for DesktopSink {
    fn state(&self, state: &MonitorState) {
        self.window.emit(state.clone());
        let prefs = self.app.state::<AppState>().settings().preferences;
        if let Some(tray) = self.app.try_state::<Tray>() {
            tray.show_count(
                language(&prefs),
                state.snapshot.as_ref().map(|s| s.running_tasks),
                state.error.is_some(),
            );
        }
    }

    fn events(&self, events: &[StatusEvent]) {
        let prefs = self.app.state::<AppState>().settings().preferences;
        if !prefs.notifications {
            return;
        }
        let language = language(&prefs);
        let texts: Vec<(String, String)> = events
            .iter()
            .map(|e| desktop_text::notification(language, e))
            .collect();
        // D-Bus calls block; a desktop without a notification daemon simply shows nothing.
        tauri::async_runtime::spawn_blocking(move || {
            for (title, body) in texts {
                if let Err(e) = notify_rust::Notification::new()
                    .appname("Berth")
                    .summary(&title)
                    .body(&body)
                    .show()
                {
                    eprintln!("berth: notification not shown ({e}): {title}");
                }
            }
        });
    }
}
