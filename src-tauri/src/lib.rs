//! The Tauri shell: wiring only. Behaviour lives in `berth-core`; commands are a few lines each.

mod commands;
mod progress;
mod state;

use tauri::Manager;

/// Starts the app.
pub fn run() {
    tauri::Builder::default()
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
        ])
        .run(tauri::generate_context!())
        .expect("Berth could not start its window");
}
