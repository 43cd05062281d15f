//! The Tauri shell: wiring only. Behaviour lives in `berth-core`; commands are a few lines each.

mod commands;
mod progress;

/// Starts the app.
pub fn run() {
    tauri::Builder::default()
        .invoke_handler(tauri::generate_handler![
            commands::environment::probe_docker,
            commands::environment::read_aws_config,
            commands::environment::app_info,
        ])
        .run(tauri::generate_context!())
        .expect("Berth could not start its window");
}
