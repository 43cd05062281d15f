include!("src/commands/names.rs");

fn main() {
    // Declaring the app's commands makes Tauri generate an `allow-<command>` permission for each
    // and deny any command the window's capability does not grant.
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMAND_NAMES)),
    )
    .expect("tauri-build failed");
}
