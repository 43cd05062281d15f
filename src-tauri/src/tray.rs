//! The tray icon: a badge with the running-task count (red when a service fails or AWS cannot be
//! checked) and a menu listing the services with their state; a service opens the window on it.
//! It shows while the user keeps Berth in the tray (Settings); its words follow the app's language.

use berth_core::dashboard::deployments::{health, ServiceHealth};
use berth_core::dashboard::monitor::{Monitor, MonitorState};
use berth_core::desktop_text;
use berth_core::settings::Language;
use berth_core::tray_badge::{self, Badge};
use serde::Serialize;
use std::sync::Mutex;
use tauri::image::Image;
use tauri::menu::{IsMenuItem, Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::{TrayIcon, TrayIconBuilder};
use tauri::{AppHandle, Emitter, Manager, Wry};

const OPEN: &str = "open";
const REFRESH: &str = "refresh";
const QUIT: &str = "quit";
/// Menu ids of services: this prefix, the cluster, a unit separator, the service.
const SERVICE: &str = "service:";

/// The window's event asking it to show a service (Deployments view, that service's card).
pub const OPEN_SERVICE_EVENT: &str = "open-service";

#[derive(Debug, Clone, Serialize)]
pub struct OpenService {
    pub cluster: String,
    pub service: String,
}

/// What the tray shows; the menu and icon are rebuilt only when it changes.
#[derive(Debug, Clone, PartialEq)]
struct Shown {
    language: Language,
    badge: Badge,
    /// (menu id, text) of the count line and the services.
    lines: Vec<(String, String)>,
}

pub struct Tray {
    icon: TrayIcon,
    /// The window icon's pixels, square, on which the badge is drawn.
    base: Option<(Vec<u8>, u32)>,
    shown: Mutex<Option<Shown>>,
}

impl Tray {
    pub fn build(app: &AppHandle, language: Language, visible: bool) -> tauri::Result<Tray> {
        let base = app
            .default_window_icon()
            .filter(|i| i.width() == i.height())
            .map(|i| (i.rgba().to_vec(), i.width()));
        let mut builder = TrayIconBuilder::with_id("berth")
            .show_menu_on_left_click(true)
            .on_menu_event(|app, event| {
                let id = event.id.as_ref();
                match id {
                    OPEN => show_window(app),
                    REFRESH => app.state::<Monitor>().refresh_now(),
                    QUIT => app.exit(0),
                    _ => {
                        if let Some((cluster, service)) = id
                            .strip_prefix(SERVICE)
                            .and_then(|s| s.split_once('\u{1f}'))
                        {
                            show_window(app);
                            let _ = app.emit_to(
                                "main",
                                OPEN_SERVICE_EVENT,
                                OpenService {
                                    cluster: cluster.to_owned(),
                                    service: service.to_owned(),
                                },
                            );
                        }
                    }
                }
            });
        if let Some(icon) = app.default_window_icon() {
            builder = builder.icon(icon.clone());
        }
        let icon = builder.build(app)?;
        let tray = Tray {
            icon,
            base,
            shown: Mutex::new(None),
        };
        tray.show(app, language, &app.state::<Monitor>().state());
        tray.icon.set_visible(visible)?;
        Ok(tray)
    }

    /// Shows the loop's latest state: the count and state in the badge, the services in the menu.
    pub fn show(&self, app: &AppHandle, language: Language, state: &MonitorState) {
        let snapshot = state.snapshot.as_ref();
        let failing_service =
            snapshot.is_some_and(|s| s.services().any(|s| health(s) == ServiceHealth::Failing));
        let badge = Badge {
            running: snapshot.map(|s| s.running_tasks),
            failing: state.error.is_some() || failing_service,
        };
        let mut lines = vec![(
            "count".to_owned(),
            if state.error.is_some() {
                desktop_text::tray_tooltip(language, None, true)
            } else {
                desktop_text::tray_count(language, badge.running)
            },
        )];
        if let Some(snapshot) = snapshot {
            lines.extend(snapshot.services().map(|s| {
                (
                    format!("{SERVICE}{}\u{1f}{}", s.cluster, s.name),
                    desktop_text::tray_service(language, s),
                )
            }));
            if snapshot.services().next().is_none() {
                lines.push((
                    "none".to_owned(),
                    desktop_text::tray_no_services(language).to_owned(),
                ));
            }
        }
        let next = Shown {
            language,
            badge,
            lines,
        };
        let mut shown = self.shown.lock().unwrap_or_else(|e| e.into_inner());
        if shown.as_ref() == Some(&next) {
            return;
        }
        // A tray that cannot be updated (no tray host on this desktop) is not worth an error.
        if shown.as_ref().map(|s| s.badge) != Some(next.badge) {
            if let Some((rgba, size)) = &self.base {
                let drawn = tray_badge::draw(rgba, *size, next.badge);
                let _ = self
                    .icon
                    .set_icon(Some(Image::new_owned(drawn, *size, *size)));
            }
        }
        let _ = self.icon.set_tooltip(Some(desktop_text::tray_tooltip(
            language,
            next.badge.running,
            state.error.is_some(),
        )));
        match menu(app, &next) {
            Ok(menu) => {
                let _ = self.icon.set_menu(Some(menu));
            }
            Err(e) => eprintln!("berth: tray menu not updated ({e})"),
        }
        *shown = Some(next);
    }

    pub fn set_visible(&self, visible: bool) {
        let _ = self.icon.set_visible(visible);
    }
}

fn menu(app: &AppHandle, shown: &Shown) -> tauri::Result<Menu<Wry>> {
    let [open, refresh, quit] = desktop_text::tray_menu(shown.language);
    let mut items: Vec<Box<dyn IsMenuItem<Wry>>> = Vec::new();
    for (id, text) in &shown.lines {
        // The count line informs; a service opens the window on it.
        let enabled = id.starts_with(SERVICE);
        items.push(Box::new(MenuItem::with_id(
            app,
            id.as_str(),
            text,
            enabled,
            None::<&str>,
        )?));
    }
    items.push(Box::new(PredefinedMenuItem::separator(app)?));
    items.push(Box::new(MenuItem::with_id(
        app,
        OPEN,
        open,
        true,
        None::<&str>,
    )?));
    items.push(Box::new(MenuItem::with_id(
        app,
        REFRESH,
        refresh,
        true,
        None::<&str>,
    )?));
    items.push(Box::new(PredefinedMenuItem::separator(app)?));
    items.push(Box::new(MenuItem::with_id(
        app,
        QUIT,
        quit,
        true,
        None::<&str>,
    )?));
    let refs: Vec<&dyn IsMenuItem<Wry>> = items.iter().map(|i| i.as_ref()).collect();
    Menu::with_items(app, &refs)
}

/// Brings the main window back (from the tray, or from behind other windows).
pub fn show_window(app: &AppHandle) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.show();
        let _ = window.unminimize();
        let _ = window.set_focus();
    }
}
