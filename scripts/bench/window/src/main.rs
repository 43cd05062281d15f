//! An empty Tauri window: what any Tauri app costs before it does anything. Berth's start-up and
//! memory are measured against it (scripts/bench/app.mjs).
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    tauri::Builder::default()
        .run(tauri::generate_context!())
        .expect("the window opens");
}
