//! The Tauri shell: wiring only. Behaviour lives in `berth-core`; commands are a few lines each.

mod commands;
mod operations;
mod progress;
mod state;

use tauri::Manager;

/// Starts the app.
pub fn run() {
    tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .manage(operations::Operations::default())
        .setup(|app| {
            let paths = app.path();
            app.manage(state::AppState::load(
                &paths.app_config_dir()?,
                &paths.app_data_dir()?,
            ));
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::environment::probe_docker,
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
