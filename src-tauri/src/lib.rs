//! The Tauri shell: wiring only. Behaviour lives in `berth-core`; commands are a few lines each.

mod commands;
mod desktop;
mod operations;
mod progress;
mod state;
mod tray;

use berth_core::monitor::{Monitor, MonitorControls};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tauri::{Manager, WindowEvent};

/// Starts the app.
pub fn run() {
    tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .manage(operations::Operations::default())
        .setup(|app| {
            let paths = app.path();
            let state = state::AppState::load(&paths.app_config_dir()?, &paths.app_data_dir()?);
            let prefs = state.settings().preferences;
            // Every connection to Docker uses the context chosen on the Environment page.
            berth_core::docker::choose_context(state.settings().docker.context);
            app.manage(state);
            app.manage(commands::launch::Launches::new(&paths.app_data_dir()?));

            // The refresh loop runs in Rust, so the tray and notifications work with the window
            // closed. It starts paused until the Deployments view shows or the tray is on.
            let handle = app.handle().clone();
            let sink = Arc::new(desktop::DesktopSink {
                app: handle.clone(),
                window: Mutex::new(None),
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

            // A desktop without a tray host still runs Berth; it just cannot keep it in a tray.
            match tray::Tray::build(&handle, desktop::language(&prefs), prefs.keep_in_tray) {
                Ok(tray) => {
                    app.manage(tray);
                }
                Err(e) => eprintln!("berth: no tray icon ({e})"),
            }
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
                if keep && app.try_state::<tray::Tray>().is_some() {
                    // Keep watching from the tray; Quit in the tray menu ends Berth.
                    api.prevent_close();
                    let _ = window.hide();
                    app.state::<Monitor>()
                        .set_controls(|c| c.view_visible = false);
                }
            }
        })
        .invoke_handler(tauri::generate_handler![
            commands::environment::probe_docker,
            commands::environment::list_docker_contexts,
            commands::environment::choose_docker_context,
            commands::environment::read_aws_config,
            commands::environment::app_info,
            commands::account::get_account,
            commands::account::save_identity,
            commands::account::remove_identity,
            commands::account::update_account,
            commands::account::verify_account,
            commands::activity::list_activity,
            commands::activity::watch_activity,
            commands::activity::clear_activity,
            commands::wizard::get_wizard,
            commands::iam::check_permissions,
            commands::iam::get_execution_role,
            commands::iam::ensure_execution_role,
            commands::iam::plan_deploy_user,
            commands::iam::create_deploy_user,
            commands::deployments::watch_deployments,
            commands::deployments::show_deployments,
            commands::deployments::refresh_deployments,
            commands::deployments::scale_service,
            commands::deployments::redeploy_service,
            commands::deployments::deploy_image_tag,
            commands::deployments::delete_service,
            commands::deployments::stop_task,
            commands::deployments::list_task_log_streams,
            commands::deployments::read_task_logs,
            commands::deployments::read_service_metrics,
            commands::settings::get_preferences,
            commands::settings::update_preferences,
            commands::repositories::list_repositories,
            commands::repositories::get_repository_usage,
            commands::repositories::get_repository,
            commands::repositories::list_repository_images,
            commands::repositories::create_repository,
            commands::repositories::choose_repository,
            commands::repositories::put_lifecycle_rule,
            commands::repositories::delete_repository,
            commands::repositories::delete_repository_images,
            commands::repositories::preview_ecr_commands,
            commands::launch::get_launch,
            commands::launch::estimate_launch_cost,
            commands::launch::get_launch_network,
            commands::launch::detect_my_ip,
            commands::launch::plan_launch,
            commands::launch::start_launch,
            commands::launch::resume_launch,
            commands::launch::cancel_launch,
            commands::launch::watch_launch,
            commands::launch::plan_teardown,
            commands::launch::start_teardown,
            commands::launch::open_address,
            commands::images::get_image_step,
            commands::images::inspect_build_folder,
            commands::images::list_local_images,
            commands::images::build_image,
            commands::images::push_image,
            commands::images::cancel_operation,
            commands::images::start_local_run,
            commands::images::watch_local_run,
            commands::images::stop_local_run,
            commands::images::open_local_app,
        ])
        .run(tauri::generate_context!())
        .expect("Berth could not start its window");
}
