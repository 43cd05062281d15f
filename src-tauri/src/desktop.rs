//! Where the refresh loop's results go outside the core: the window (through the `deployments`
//! job), the tray, and desktop notifications. A desktop without a tray host or a notification
//! service is told about once, and Berth goes on without them.

use crate::desktop_host;
use crate::state::AppState;
use crate::tray::Tray;
use berth_core::dashboard::deployments::{take_snapshot, FollowedTask, StatusEvent};
use berth_core::dashboard::monitor::{MonitorSink, MonitorState, SnapshotFuture, SnapshotSource};
use berth_core::desktop_support::DesktopSupport;
use berth_core::desktop_text;
use berth_core::jobs::Job;
use berth_core::settings::{Language, Preferences};
use std::sync::{Arc, Mutex};
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

/// What the desktop offers, and whether its absence was said already.
#[derive(Default)]
pub struct Desktop {
    support: Mutex<DesktopSupport>,
    told_tray: Mutex<bool>,
    told_notifications: Mutex<bool>,
}

impl Desktop {
    pub fn support(&self) -> DesktopSupport {
        *lock(&self.support)
    }

    /// Looks for a tray host again (one may have started since); says once when there is none
    /// while the user wants Berth kept in the tray.
    pub fn check_tray(&self, prefs: &Preferences) -> bool {
        let present = desktop_host::tray_host_present();
        lock(&self.support).tray_host = present;
        if !present && prefs.keep_in_tray {
            self.say_once(
                &self.told_tray,
                desktop_text::desktop_missing(language(prefs), true),
            );
        }
        present
    }

    /// Asks the session bus for a notification service (D-Bus may start one on demand).
    pub fn check_notifications(&self, prefs: &Preferences) -> bool {
        let present = notify_rust::get_server_information().is_ok();
        self.notifications_found(present, prefs);
        present
    }

    fn notifications_found(&self, present: bool, prefs: &Preferences) {
        lock(&self.support).notifications = Some(present);
        if !present && prefs.notifications {
            self.say_once(
                &self.told_notifications,
                desktop_text::desktop_missing(language(prefs), false),
            );
        }
    }

    fn say_once(&self, told: &Mutex<bool>, text: &str) {
        let mut told = lock(told);
        if !*told {
            *told = true;
            eprintln!("berth: {text}");
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

pub struct DesktopSink {
    pub app: AppHandle,
    /// The Deployments watch, which the window's view attaches to.
    pub window: Job<MonitorState>,
    pub desktop: Arc<Desktop>,
}

impl MonitorSink for DesktopSink {
    fn state(&self, state: &MonitorState) {
        self.window.emit(state.clone());
        let prefs = self.app.state::<AppState>().settings().preferences;
        if let Some(tray) = self.app.try_state::<Tray>() {
            tray.show(&self.app, language(&prefs), state);
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
        let desktop = self.desktop.clone();
        // D-Bus calls block. A desktop without a notification service shows nothing; that is
        // said once, and the events stay in the Deployments view.
        tauri::async_runtime::spawn_blocking(move || {
            for (title, body) in texts {
                let shown = notify_rust::Notification::new()
                    .appname("Berth")
                    .summary(&title)
                    .body(&body)
                    .show();
                desktop.notifications_found(shown.is_ok(), &prefs);
                if shown.is_err() {
                    break;
                }
            }
        });
    }
}
