//! The tray icon: a tooltip and a menu that say how many tasks run, with Open, Refresh and Quit.
//! It shows while the user keeps Berth in the tray (Settings); its words follow the app's language.

use berth_core::dashboard::monitor::Monitor;
use berth_core::desktop_text;
use berth_core::settings::Language;
use tauri::menu::{Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::{TrayIcon, TrayIconBuilder};
use tauri::{AppHandle, Manager, Wry};

const OPEN: &str = "open";
const REFRESH: &str = "refresh";
const QUIT: &str = "quit";

/// The tray icon and the menu items whose text changes.
pub struct Tray {
    icon: TrayIcon,
    count: MenuItem<Wry>,
    open: MenuItem<Wry>,
    refresh: MenuItem<Wry>,
    quit: MenuItem<Wry>,
}

impl Tray {
    pub fn build(app: &AppHandle, language: Language, visible: bool) -> tauri::Result<Tray> {
        let [open_label, refresh_label, quit_label] = desktop_text::tray_menu(language);
        let count = MenuItem::with_id(
            app,
            "count",
            desktop_text::tray_count(language, None),
            false,
            None::<&str>,
        )?;
        let open = MenuItem::with_id(app, OPEN, open_label, true, None::<&str>)?;
        let refresh = MenuItem::with_id(app, REFRESH, refresh_label, true, None::<&str>)?;
        let quit = MenuItem::with_id(app, QUIT, quit_label, true, None::<&str>)?;
        let menu = Menu::with_items(
            app,
            &[
                &count,
                &PredefinedMenuItem::separator(app)?,
                &open,
                &refresh,
                &PredefinedMenuItem::separator(app)?,
                &quit,
            ],
        )?;
        let mut builder = TrayIconBuilder::with_id("berth")
            .tooltip(desktop_text::tray_tooltip(language, None, false))
            .menu(&menu)
            .show_menu_on_left_click(true)
            .on_menu_event(|app, event| match event.id.as_ref() {
                OPEN => show_window(app),
                REFRESH => app.state::<Monitor>().refresh_now(),
                QUIT => app.exit(0),
                _ => {}
            });
        if let Some(icon) = app.default_window_icon() {
            builder = builder.icon(icon.clone());
        }
        let icon = builder.build(app)?;
        icon.set_visible(visible)?;
        Ok(Tray {
            icon,
            count,
            open,
            refresh,
            quit,
        })
    }

    /// Shows the running-task count (none before the first refresh) or that AWS is unreachable.
    pub fn show_count(&self, language: Language, running: Option<u32>, failing: bool) {
        // A tray that cannot be updated (no tray host on this desktop) is not worth an error.
        let _ = self
            .icon
            .set_tooltip(Some(desktop_text::tray_tooltip(language, running, failing)));
        let _ = self
            .count
            .set_text(desktop_text::tray_count(language, running));
    }

    pub fn set_language(&self, language: Language) {
        let [open, refresh, quit] = desktop_text::tray_menu(language);
        let _ = self.open.set_text(open);
        let _ = self.refresh.set_text(refresh);
        let _ = self.quit.set_text(quit);
    }

    pub fn set_visible(&self, visible: bool) {
        let _ = self.icon.set_visible(visible);
    }
}

/// Brings the main window back (from the tray, or from behind other windows).
pub fn show_window(app: &AppHandle) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.show();
        let _ = window.unminimize();
        let _ = window.set_focus();
    }
}
