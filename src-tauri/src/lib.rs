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
            app.manage(commands::launch::Launches::new(&paths.app_data_dir()?));
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
        ])
        .run(tauri::generate_context!())
        .expect("Berth could not start its window");
}
