//! The Tauri shell: wiring only. Behaviour lives in `berth-core`; commands are a few lines each.

mod commands;
mod desktop;
mod desktop_host;
mod jobs;
mod painting;
mod state;
mod tray;

use berth_core::dashboard::monitor::{Monitor, MonitorControls};
use berth_core::jobs::Replay;
use berth_core::wizard::launch::record::LaunchStore;
use jobs::{AppJobs, JobEvent};
use std::sync::Arc;
use std::time::Duration;
use tauri::webview::PageLoadEvent;
use tauri::{Manager, RunEvent, WindowEvent};

/// Starts the app.
pub fn run() {
    painting::choose();
    let jobs = AppJobs::default();
    tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .manage(jobs.clone())
        .setup(|app| {
            let paths = app.path();
            let state = state::AppState::load(
                &paths.app_config_dir()?,
                &paths.app_data_dir()?,
                paths.resource_dir().ok().as_deref(),
            );
            let prefs = state.settings().preferences;
            // Every connection to Docker uses the context chosen on the Environment page.
            berth_core::docker::choose_context(state.settings().docker.context);

            // Two jobs last as long as the app: the activity feed and the Deployments watch. A
            // window attaches to them like to any job, however often it reloads.
            let jobs = app.state::<AppJobs>().inner().clone();
            let (_, activity) = jobs.start("activity", "", Replay::Nothing)?;
            state.activity.subscribe(Arc::new(move |entry| {
                activity.emit(JobEvent::Activity(entry.clone()))
            }));
            let (_, deployments) = jobs.start("deployments", "", Replay::Latest)?;
            let resume_practice = state.settings().account.practice.is_managed();
            app.manage(state);
            app.manage(LaunchStore::in_dir(&paths.app_data_dir()?));
            // Prices read live from AWS's Price List API on earlier days (pricing::live).
            let prices = berth_core::pricing::live::PriceCache::in_dir(&paths.app_data_dir()?);
            prices.restore();
            app.manage(prices);

            // The refresh loop runs in Rust, so the tray and notifications work with the window
            // closed. It starts paused until the Deployments view shows or the tray is on.
            let handle = app.handle().clone();
            let desktop = Arc::new(desktop::Desktop::default());
            let sink = Arc::new(desktop::DesktopSink {
                app: handle.clone(),
                window: deployments.map(JobEvent::Deployments),
                desktop: desktop.clone(),
            });
            let (monitor, run) = Monitor::new(
                MonitorControls {
                    interval: Duration::from_secs(prefs.refresh_interval_secs.into()),
                    view_visible: false,
                    tray: prefs.keep_in_tray,
                },
                Arc::new(desktop::AccountSource(handle.clone())),
                sink.clone(),
            );
            tauri::async_runtime::spawn(run);
            app.manage(monitor);
            app.manage(sink);

            // Berth quit in practice: practice comes back with it (a failure shows on the
            // Account step, whose practice button starts it again).
            if resume_practice {
                let handle = app.handle().clone();
                tauri::async_runtime::spawn(async move {
                    let state = handle.state::<state::AppState>();
                    if let Err(e) = state.practice.start().await {
                        eprintln!("berth: practice did not start again ({e})");
                    }
                });
            }

            // A desktop without a tray host still runs Berth; it just cannot keep it in a tray.
            match tray::Tray::build(&handle, desktop::language(&prefs), prefs.keep_in_tray) {
                Ok(tray) => {
                    app.manage(tray);
                }
                Err(e) => eprintln!("berth: no tray icon ({e})"),
            }
            // What the desktop offers is looked for once at start (and again when it matters),
            // off the main thread: D-Bus may start a notification service on demand.
            let checked = desktop.clone();
            tauri::async_runtime::spawn_blocking(move || {
                checked.check_tray(&prefs);
                checked.check_notifications(&prefs);
            });
            app.manage(desktop);
            Ok(())
        })
        .on_window_event(|window, event| {
            if let WindowEvent::CloseRequested { api, .. } = event {
                let app = window.app_handle();
                let keep = app
                    .state::<state::AppState>()
                    .settings()
                    .preferences
                    .keep_in_tray;
                // Without a tray host the window would vanish into a tray nobody sees: it closes
                // (and Berth quits) as if the tray were off.
                let hosted = keep
                    && app.try_state::<tray::Tray>().is_some()
                    && app
                        .state::<Arc<desktop::Desktop>>()
                        .check_tray(&app.state::<state::AppState>().settings().preferences);
                if hosted {
                    // Keep watching from the tray; Quit in the tray menu ends Berth.
                    api.prevent_close();
                    let _ = window.hide();
                    app.state::<Monitor>()
                        .set_controls(|c| c.view_visible = false);
                }
            }
        })
        // A page that starts loading replaces the old one, whose watchers are gone with it; the
        // new page's views attach again.
        .on_page_load(move |_, payload| {
            if payload.event() == PageLoadEvent::Started {
                jobs.detach_all();
            }
        })
        .invoke_handler(commands::handler())
        .build(tauri::generate_context!())
        .expect("Berth could not start its window")
        .run(|app, event| {
            // The practice backend saves its data and removes its task containers as it stops.
            if let RunEvent::Exit = event {
                if let Some(state) = app.try_state::<state::AppState>() {
                    tauri::async_runtime::block_on(state.practice.stop());
                }
            }
        });
}
