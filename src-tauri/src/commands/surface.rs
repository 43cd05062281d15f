//! The window's attack surface: the commands the list declares are the ones the window may call
//! and the ones the UI's generated calls name; no plugin and no config switch gives the webview
//! more than that; and only the typed key pair carries a secret, only into Berth.

use super::all;
use serde::Deserialize;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

const LIB_RS: &str = include_str!("../lib.rs");
const TAURI_CONF: &str = include_str!("../../../tauri.conf.json");
const CAPABILITY: &str = include_str!("../../capabilities/main-window.json");
const COMMAND_SET: &str = include_str!("../../permissions/commands.toml");
const APP_CARGO_TOML: &str = include_str!("../../Cargo.toml");
const UI_PACKAGE_JSON: &str = include_str!("../../../ui/package.json");
const DIALOG_TS: &str = include_str!("../../../ui/src/ipc/dialog.ts");

/// What the window has beside the app's commands: the folder picker, and listening to the
/// tray's "open a service" event (ui/src/ipc/events.ts).
const PLUGIN_PERMISSIONS: &[&str] = &[
    "dialog:allow-open",
    "core:event:allow-listen",
    "core:event:allow-unlisten",
];

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn set(names: &[impl AsRef<str>]) -> BTreeSet<String> {
    names.iter().map(|n| n.as_ref().to_owned()).collect()
}

/// The window may call every command of the list and nothing else: the capability grants the set
/// build.rs writes from the list, and the plugin permissions listed beside it.
#[test]
fn the_window_may_call_exactly_the_listed_commands() {
    #[derive(Deserialize)]
    struct Set {
        set: Vec<SetEntry>,
    }
    #[derive(Deserialize)]
    struct SetEntry {
        identifier: String,
        permissions: Vec<String>,
    }
    let granted: Set = toml_set(COMMAND_SET);
    assert_eq!(granted.set.len(), 1);
    assert_eq!(granted.set[0].identifier, "commands");
    let names: Vec<String> = all().iter().map(|c| c.name.to_owned()).collect();
    assert!(names.len() > 50, "the list has only {names:?}");
    assert_eq!(set(&names).len(), names.len(), "a command is listed twice");
    let expected: BTreeSet<String> = names
        .iter()
        .map(|n| format!("allow-{}", n.replace('_', "-")))
        .collect();
    assert_eq!(set(&granted.set[0].permissions), expected);

    let capability: serde_json::Value = serde_json::from_str(CAPABILITY).unwrap();
    let permissions: Vec<String> = capability["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().expect("plain identifiers").to_owned())
        .collect();
    let mut wanted = vec!["commands".to_owned()];
    wanted.extend(PLUGIN_PERMISSIONS.iter().map(|p| (*p).to_owned()));
    assert_eq!(permissions, wanted);

    fn toml_set(text: &str) -> Set {
        // The file is the small, fixed shape build.rs writes: read it without a TOML parser.
        let identifier = text
            .lines()
            .find_map(|l| l.strip_prefix("identifier = "))
            .map(|v| v.trim_matches('"').to_owned())
            .unwrap_or_default();
        let permissions = text
            .lines()
            .filter_map(|l| l.trim().strip_prefix('"'))
            .filter_map(|l| l.strip_suffix("\","))
            .map(str::to_owned)
            .collect();
        Set {
            set: vec![SetEntry {
                identifier,
                permissions,
            }],
        }
    }
}

/// Every UI source file, without tests and test support.
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
    let ipc = src.join("ipc");
    let offenders: Vec<_> = files
        .iter()
        .filter(|f| !f.starts_with(&ipc))
        .filter(|f| {
            let text = std::fs::read_to_string(f).unwrap();
            text.contains("@tauri-apps/") || text.contains("__TAURI")
        })
        .collect();
    assert!(
        offenders.is_empty(),
        "only ui/src/ipc may call into Tauri: {offenders:?}"
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
    let imports: Vec<&str> = DIALOG_TS
        .lines()
        .filter(|l| l.contains("from '@tauri-apps/plugin-"))
        .collect();
    assert_eq!(
        imports,
        ["import { open as openDialog } from '@tauri-apps/plugin-dialog';"]
    );
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
        let words: Vec<&str> = text
            .split(|c: char| !c.is_ascii_alphanumeric() && c != ':' && c != '?')
            .filter(|w| !w.is_empty())
            .collect();
        for (i, word) in words.iter().enumerate() {
            let field = word.trim_end_matches(':').trim_end_matches('?');
            // A yes/no (`secret: boolean`, an environment variable marked secret) holds none.
            let flag = words.get(i + 1) == Some(&"boolean");
            if word.ends_with(':') && is_secret_field(field) && !flag {
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
    // A changed secret value goes UI → Berth only: the one command that takes it answers nothing.
    let change = all()
        .into_iter()
        .find(|c| c.name == "change_service_secret")
        .expect("change_service_secret is declared");
    assert!(change.args.iter().any(|(name, _)| *name == "value"));
    assert_eq!(
        change.answer, "null",
        "change_service_secret answers something"
    );
    assert!(change.events.is_none());
    // NewIdentity goes UI → Berth only: no command answers or streams it.
    for command in all() {
        assert!(
            !command.answer.contains("NewIdentity")
                && !command.events.iter().any(|e| e.contains("NewIdentity")),
            "{} sends NewIdentity to the UI",
            command.name
        );
    }
}

#[test]
fn the_csp_allows_nothing_but_the_app_itself() {
    let conf: serde_json::Value =
        serde_json::from_str(include_str!("../../../tauri.conf.json")).unwrap();
    let csp = conf["app"]["security"]["csp"]
        .as_str()
        .expect("a CSP is set");
    let directives: Vec<Vec<&str>> = csp
        .split(';')
        .map(|d| d.split_whitespace().collect())
        .filter(|d: &Vec<&str>| !d.is_empty())
        .collect();
    let sources = |name: &str| -> Vec<&str> {
        directives
            .iter()
            .find(|d| d[0] == name)
            .map(|d| d[1..].to_vec())
            .unwrap_or_else(|| panic!("CSP has no {name}: {csp}"))
    };
    assert_eq!(sources("default-src"), ["'self'"]);
    assert_eq!(sources("script-src"), ["'self'"]);
    assert_eq!(sources("object-src"), ["'none'"]);
    // The webview may talk to nothing but Tauri's IPC endpoints.
    for source in sources("connect-src") {
        assert!(
            ["'self'", "ipc:", "http://ipc.localhost"].contains(&source),
            "connect-src allows {source}"
        );
    }
    for d in &directives {
        for source in &d[1..] {
            assert!(
                !["*", "http:", "https:", "'unsafe-eval'", "'unsafe-inline'"].contains(source),
                "{} allows {source}",
                d[0]
            );
        }
    }
}
