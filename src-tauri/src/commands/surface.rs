//! The window's attack surface, checked from the source: the commands the app registers, the
//! ones its capability grants, and the ones the UI invokes are the same list; no plugin and no
//! config switch gives the webview more than that.

include!("names.rs");

use serde::Deserialize;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

const LIB_RS: &str = include_str!("../lib.rs");
const COMMANDS_TS: &str = include_str!("../../../ui/src/ipc/commands.ts");
const TAURI_CONF: &str = include_str!("../../../tauri.conf.json");
const CAPABILITY: &str = include_str!("../../capabilities/main-window.json");
const APP_CARGO_TOML: &str = include_str!("../../Cargo.toml");
const UI_PACKAGE_JSON: &str = include_str!("../../../ui/package.json");

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The command names inside `generate_handler![...]` in lib.rs.
fn registered_handlers() -> Vec<String> {
    let start = LIB_RS
        .find("generate_handler![")
        .expect("lib.rs registers its commands with generate_handler!");
    let body = &LIB_RS[start + "generate_handler![".len()..];
    let body = &body[..body.find(']').expect("generate_handler! is closed")];
    body.split(',')
        .map(str::trim)
        .filter(|path| !path.is_empty())
        .map(|path| path.rsplit("::").next().unwrap().to_owned())
        .collect()
}

/// The command names the UI invokes: the first argument of every `call<T>('name', ...)` in
/// commands.ts, the only UI module that calls into Tauri.
fn ui_invoked_commands() -> Vec<String> {
    COMMANDS_TS
        .match_indices("call<")
        .filter_map(|(at, _)| {
            // `call<T>('name'`: the definition `call<T>(command: string` is not a call.
            let rest = &COMMANDS_TS[at..];
            let open = rest.find(">(")? + 2;
            let name = rest[open..].strip_prefix('\'')?;
            Some(name[..name.find('\'')?].to_owned())
        })
        .collect()
}

fn set(names: &[impl AsRef<str>]) -> BTreeSet<String> {
    names.iter().map(|n| n.as_ref().to_owned()).collect()
}

fn without_duplicates(what: &str, names: &[impl AsRef<str>]) {
    let unique = set(names);
    assert_eq!(unique.len(), names.len(), "{what} lists a command twice");
}

#[test]
fn the_registered_handlers_are_exactly_the_declared_command_names() {
    let handlers = registered_handlers();
    assert!(handlers.len() > 50, "parsed only {handlers:?}");
    without_duplicates("generate_handler!", &handlers);
    without_duplicates("COMMAND_NAMES", COMMAND_NAMES);
    let declared = set(COMMAND_NAMES);
    let registered = set(&handlers);
    let undeclared: Vec<_> = registered.difference(&declared).collect();
    let unregistered: Vec<_> = declared.difference(&registered).collect();
    assert!(
        undeclared.is_empty(),
        "registered but not in names.rs (the capability cannot grant them): {undeclared:?}"
    );
    assert!(
        unregistered.is_empty(),
        "in names.rs but not registered in lib.rs: {unregistered:?}"
    );
}

#[test]
fn the_ui_invokes_exactly_the_registered_commands() {
    let invoked = ui_invoked_commands();
    assert!(invoked.len() > 50, "parsed only {invoked:?}");
    without_duplicates("commands.ts", &invoked);
    let invoked = set(&invoked);
    let declared = set(COMMAND_NAMES);
    let unused: Vec<_> = declared.difference(&invoked).collect();
    let unknown: Vec<_> = invoked.difference(&declared).collect();
    assert!(
        unused.is_empty(),
        "registered but never invoked by the UI (surface to remove): {unused:?}"
    );
    assert!(
        unknown.is_empty(),
        "invoked by the UI but not registered (would always fail): {unknown:?}"
    );
}

/// Every UI source file except `ipc/commands.ts` and test support.
fn ui_sources(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if path.is_dir() {
            if name != "test" {
                ui_sources(&path, found);
            }
        } else if (name.ends_with(".ts") || name.ends_with(".svelte"))
            && !name.ends_with(".test.ts")
        {
            found.push(path);
        }
    }
}

#[test]
fn only_the_ipc_module_touches_tauri() {
    let src = repo_root().join("ui/src");
    let mut files = Vec::new();
    ui_sources(&src, &mut files);
    assert!(files.len() > 20, "found only {files:?}");
    let commands_ts = src.join("ipc/commands.ts");
    let offenders: Vec<_> = files
        .iter()
        .filter(|f| **f != commands_ts)
        .filter(|f| {
            let text = std::fs::read_to_string(f).unwrap();
            text.contains("@tauri-apps/") || text.contains("__TAURI")
        })
        .collect();
    assert!(
        offenders.is_empty(),
        "only ui/src/ipc/commands.ts may call into Tauri: {offenders:?}"
    );
}

#[test]
fn no_plugin_is_used_or_granted_beyond_the_folder_picker() {
    // Rust side: the one plugin registered, the one plugin crate depended on.
    assert_eq!(
        LIB_RS.matches(".plugin(").count(),
        1,
        "lib.rs registers another plugin"
    );
    assert!(LIB_RS.contains(".plugin(tauri_plugin_dialog::init())"));
    let plugin_crates: Vec<&str> = APP_CARGO_TOML
        .lines()
        .filter(|l| l.trim_start().starts_with("tauri-plugin-"))
        .collect();
    assert_eq!(plugin_crates, ["tauri-plugin-dialog.workspace = true"]);

    // UI side: the one plugin package, and only its `open` (folder picker) is imported.
    let package: serde_json::Value = serde_json::from_str(UI_PACKAGE_JSON).unwrap();
    let ui_plugins: Vec<&String> = package["dependencies"]
        .as_object()
        .unwrap()
        .keys()
        .filter(|k| k.starts_with("@tauri-apps/plugin-"))
        .collect();
    assert_eq!(ui_plugins, ["@tauri-apps/plugin-dialog"]);
    let imports: Vec<&str> = COMMANDS_TS
        .lines()
        .filter(|l| l.contains("from '@tauri-apps/plugin-"))
        .collect();
    assert_eq!(
        imports,
        ["import { open as openDialog } from '@tauri-apps/plugin-dialog';"]
    );

    // And the capability grants exactly that: no `dialog:default` (message, ask, save...).
    assert_eq!(PLUGIN_PERMISSIONS, ["dialog:allow-open"]);
}

/// The capability file's whole shape: any other key (`remote`, `webviews`, `platforms`...) or a
/// key written twice is an error.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // read only to check the shape
struct Capability {
    #[serde(rename = "$schema")]
    schema: Option<String>,
    identifier: String,
    description: Option<String>,
    windows: Vec<String>,
    permissions: Vec<String>,
}

#[test]
fn the_capability_is_for_the_one_local_window_only() {
    let capability: Capability = serde_json::from_str(CAPABILITY)
        .unwrap_or_else(|e| panic!("main-window.json has an unexpected shape: {e}"));
    assert_eq!(capability.windows, ["main"]);
    let files: Vec<_> = std::fs::read_dir(repo_root().join("src-tauri/capabilities"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        files,
        ["main-window.json"],
        "another capability grants more"
    );

    let conf: serde_json::Value = serde_json::from_str(TAURI_CONF).unwrap();
    let windows = conf["app"]["windows"].as_array().unwrap();
    assert_eq!(windows.len(), 1);
    assert_eq!(windows[0]["label"], "main");
}

#[test]
fn the_config_exposes_no_global_api_no_asset_files_and_no_remote_page() {
    let conf: serde_json::Value = serde_json::from_str(TAURI_CONF).unwrap();
    let app = &conf["app"];
    let security = &app["security"];

    // window.__TAURI__ would hand any injected script the whole API without an import.
    assert_ne!(app["withGlobalTauri"], true, "withGlobalTauri is on");
    // Frozen prototypes stop a script from tampering with Object/Array used by the IPC layer.
    assert_eq!(security["freezePrototype"], true, "freezePrototype is off");
    // The asset protocol would let the webview read local files; Berth shows none.
    assert!(
        security["assetProtocol"].is_null() || security["assetProtocol"]["enable"] == false,
        "the asset protocol is enabled: {}",
        security["assetProtocol"]
    );
    for dangerous in [
        "dangerousDisableAssetCspModification",
        "dangerousRemoteDomainIpcAccess",
    ] {
        assert!(security[dangerous].is_null(), "{dangerous} is set");
    }
    for window in app["windows"].as_array().unwrap() {
        let url = window["url"].as_str().unwrap_or("index.html");
        assert!(
            !url.contains("://"),
            "the window opens a remote page: {url}"
        );
    }

    // The shipped app loads ui/dist from the binary; devUrl is only for `tauri dev`, on loopback.
    let build = &conf["build"];
    let dist = build["frontendDist"].as_str().expect("frontendDist is set");
    assert!(!dist.contains("://"), "frontendDist is a URL: {dist}");
    if let Some(dev_url) = build["devUrl"].as_str() {
        let host = dev_url
            .split("://")
            .nth(1)
            .and_then(|rest| rest.split([':', '/']).next())
            .unwrap_or_default();
        assert!(
            ["localhost", "127.0.0.1", "[::1]"].contains(&host),
            "devUrl points off this machine: {dev_url}"
        );
    }
    assert!(
        APP_CARGO_TOML.contains(r#"custom-protocol = ["tauri/custom-protocol"]"#),
        "the app crate has no custom-protocol feature to embed ui/dist"
    );
    let common = std::fs::read_to_string(repo_root().join("scripts/common.sh")).unwrap();
    assert!(
        common.contains(r#"BERTH_APP_FEATURES="berth/custom-protocol""#),
        "the scripts build the app without custom-protocol, so it would load devUrl"
    );
}

/// Field names that hold a secret. `token` alone is a log page cursor, and `hasSessionToken` a
/// yes/no: neither is a credential.
fn is_secret_field(field: &str) -> bool {
    let f = field.to_ascii_lowercase();
    f.contains("secret")
        || f.contains("password")
        || (f.contains("token") && f != "token" && f != "hassessiontoken")
}

#[test]
fn only_the_typed_key_pair_carries_a_secret_across_ipc_and_only_into_berth() {
    let dir = repo_root().join("ui/src/ipc/bindings");
    let mut carriers = BTreeSet::new();
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        seen += 1;
        // Fields are written `name: type` or `name?: type` in the generated types.
        for word in text.split(|c: char| !c.is_ascii_alphanumeric() && c != ':' && c != '?') {
            let field = word.trim_end_matches(':').trim_end_matches('?');
            if word.ends_with(':') && is_secret_field(field) {
                let file = path.file_stem().unwrap().to_string_lossy().into_owned();
                carriers.insert(format!("{file}.{field}"));
            }
        }
    }
    assert!(seen > 50, "read only {seen} bindings");
    assert_eq!(
        carriers,
        set(&["NewIdentity.secretAccessKey", "NewIdentity.sessionToken"]),
        "a type the UI sees holds a secret"
    );
    // NewIdentity goes UI → Berth only: no command answers with it.
    let answers_with_it = COMMANDS_TS
        .lines()
        .any(|l| l.contains("Promise<NewIdentity") || l.contains("Channel<NewIdentity"));
    assert!(!answers_with_it, "a command returns NewIdentity to the UI");
}
