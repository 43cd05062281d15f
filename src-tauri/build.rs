// The window may call exactly the app's commands, as `src/commands/list.rs` declares them:
// tauri-build makes an `allow-<command>` permission for each, and this script writes the set of
// all of them (`permissions/commands.toml`), which the window's capability grants.

/// The command names of the list, read when the script runs (not compiled into it): worktrees
/// that share a cargo target dir share this script's binary, which must not carry one tree's list
/// into another. Each entry is a line `fn name(…) -> …;` inside the `berth_commands!` call.
fn command_names() -> Vec<String> {
    let list =
        std::fs::read_to_string("src/commands/list.rs").expect("reading src/commands/list.rs");
    list.lines()
        .filter_map(|line| line.trim_start().strip_prefix("fn "))
        .filter_map(|rest| rest.split('(').next())
        .map(|name| name.trim().to_owned())
        .collect()
}

fn main() {
    let names = command_names();
    let permissions: Vec<String> = names
        .iter()
        .map(|name| format!("  \"allow-{}\",\n", name.replace('_', "-")))
        .collect();
    let set = format!(
        "# Written by build.rs from src/commands/list.rs; do not edit.\n\
         [[set]]\n\
         identifier = \"commands\"\n\
         description = \"Every command of the app, as src/commands/list.rs declares them.\"\n\
         permissions = [\n{}]\n",
        permissions.concat()
    );
    let path = std::path::Path::new("permissions/commands.toml");
    if std::fs::read_to_string(path).ok().as_deref() != Some(set.as_str()) {
        std::fs::create_dir_all("permissions").expect("permissions folder");
        std::fs::write(path, set).expect("writing permissions/commands.toml");
    }
    println!("cargo:rerun-if-changed=src/commands/list.rs");
    tauri_build::try_build(
        tauri_build::Attributes::new().app_manifest(
            tauri_build::AppManifest::new().commands(Box::leak(
                names
                    .into_iter()
                    .map(|n| &*Box::leak(n.into_boxed_str()))
                    .collect::<Vec<&'static str>>()
                    .into_boxed_slice(),
            )),
        ),
    )
    .expect("tauri-build failed");
}
