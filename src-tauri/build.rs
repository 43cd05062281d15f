// The window may call exactly the app's commands, as `src/commands/list.rs` declares them:
// tauri-build makes an `allow-<command>` permission for each, and this script writes the set of
// all of them (`permissions/commands.toml`), which the window's capability grants.

macro_rules! berth_commands {
    ($(
        $module:ident {
            $(
                $(#[doc = $doc:literal])*
                fn $name:ident ( $( $arg:ident : $ty:ty ),* $(,)? ) -> $answer:ty $( => $event:ty )? ;
            )*
        }
    )*) => {
        const COMMAND_NAMES: &[&str] = &[ $( $( stringify!($name), )* )* ];
    };
}

include!("src/commands/list.rs");

fn main() {
    let permissions: Vec<String> = COMMAND_NAMES
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
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMAND_NAMES)),
    )
    .expect("tauri-build failed");
}
