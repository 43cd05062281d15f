//! The UI's side of IPC, written from the command list: `ui/src/ipc/commands.ts` (one typed
//! function per command), `ui/src/ipc/bindings/` (the TypeScript types of everything the
//! commands take and answer, by ts-rs) and `ui/src/ipc/errorKinds.ts` (every error kind). The
//! test fails when a committed file is stale; `BERTH_UPDATE_BINDINGS=1 cargo test -p berth
//! typescript` rewrites them.

use super::{all, export_bindings, CommandInfo};
use berth_core::{BerthError, ErrorKind};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use ts_rs::TS;

fn ipc_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/ipc")
}

/// `save_identity` → `saveIdentity` (Tauri takes arguments in camelCase from JavaScript too).
fn camel(snake: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

fn answer_type(info: &CommandInfo) -> &str {
    if info.answer == "null" {
        "void"
    } else {
        &info.answer
    }
}

fn function(info: &CommandInfo) -> String {
    let mut params: Vec<String> = info
        .args
        .iter()
        .map(|(name, ty)| format!("{}: {ty}", camel(name)))
        .collect();
    let mut keys: Vec<String> = info.args.iter().map(|(name, _)| camel(name)).collect();
    let mut body = String::new();
    if let Some(events) = &info.events {
        params.push(format!("onEvent: (event: {events}) => void"));
        keys.push("channel".to_owned());
        body.push_str(&format!(
            "  const channel = new Channel<{events}>();\n  channel.onmessage = onEvent;\n"
        ));
    }
    let args = if keys.is_empty() {
        String::new()
    } else {
        format!(", {{ {} }}", keys.join(", "))
    };
    let answer = answer_type(info);
    let doc = info
        .doc
        .iter()
        .map(|line| format!(" *{line}\n"))
        .collect::<String>();
    format!(
        "/**\n{doc} */\nexport function {}({}): Promise<{answer}> {{\n{body}  return call<{answer}>('{}'{args});\n}}\n",
        camel(info.name),
        params.join(", "),
        info.name,
    )
}

/// The text of `commands.ts`.
fn commands_ts(commands: &[CommandInfo]) -> String {
    let mut imports: BTreeMap<String, String> = BTreeMap::new();
    for dependency in commands.iter().flat_map(|c| &c.imports) {
        let path = dependency.output_path.with_extension("");
        imports.insert(
            dependency.ts_name.clone(),
            format!("./bindings/{}", path.display()),
        );
    }
    let mut out = String::from(
        "// Written from src-tauri/src/commands/list.rs by the `typescript` test of the berth crate; do not\n\
         // edit. The only module that calls into Tauri: every function rejects with a BerthError.\n\
         import { Channel, invoke } from '@tauri-apps/api/core';\n",
    );
    for (name, path) in &imports {
        out.push_str(&format!("import type {{ {name} }} from '{path}';\n"));
    }
    out.push_str(
        "import { toBerthError } from './errors';\n\n\
         async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {\n  \
         try {\n    return await invoke<T>(command, args);\n  } catch (reason) {\n    \
         throw toBerthError(reason);\n  }\n}\n",
    );
    for info in commands {
        out.push('\n');
        out.push_str(&function(info));
    }
    out
}

/// The text of `errorKinds.ts`: every kind, in declaration order.
fn error_kinds_ts() -> String {
    let kinds: Vec<String> = ErrorKind::all()
        .map(|k| format!("  '{}',\n", k.as_str()))
        .collect();
    format!(
        "// Written from berth_core::ErrorKind by the `typescript` test of the berth crate; do not edit.\n\
         import type {{ ErrorKind }} from './bindings/ErrorKind';\n\n\
         /** Every error kind the backend can send. */\n\
         export const ALL_ERROR_KINDS = [\n{}] as const satisfies readonly ErrorKind[];\n",
        kinds.concat()
    )
}

/// Every file the list writes, by path relative to `ui/src/ipc`.
fn written(commands: &[CommandInfo]) -> BTreeMap<PathBuf, String> {
    let dir = tempfile::tempdir().unwrap();
    let cfg = ts_rs::Config::default().with_out_dir(dir.path());
    export_bindings(&cfg).expect("ts-rs writes the bindings");
    // Errors cross IPC as the rejection of every call, not as an answer.
    BerthError::export_all(&cfg).expect("ts-rs writes BerthError");
    let mut files = BTreeMap::new();
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        files.insert(
            Path::new("bindings").join(path.file_name().unwrap()),
            std::fs::read_to_string(&path).unwrap(),
        );
    }
    files.insert(PathBuf::from("commands.ts"), commands_ts(commands));
    files.insert(PathBuf::from("errorKinds.ts"), error_kinds_ts());
    files
}

#[test]
fn the_ui_calls_and_types_are_written_from_the_command_list() {
    let commands = all();
    let files = written(&commands);
    let ipc = ipc_dir();
    let committed_bindings: Vec<PathBuf> = std::fs::read_dir(ipc.join("bindings"))
        .map(|dir| {
            dir.map(|e| Path::new("bindings").join(e.unwrap().file_name()))
                .collect()
        })
        .unwrap_or_default();
    if std::env::var_os("BERTH_UPDATE_BINDINGS").is_some() {
        for stale in committed_bindings
            .iter()
            .filter(|p| !files.contains_key(*p))
        {
            std::fs::remove_file(ipc.join(stale)).unwrap();
        }
        std::fs::create_dir_all(ipc.join("bindings")).unwrap();
        for (path, text) in &files {
            std::fs::write(ipc.join(path), text).unwrap();
        }
        return;
    }
    let mut stale = Vec::new();
    for (path, text) in &files {
        if std::fs::read_to_string(ipc.join(path)).ok().as_ref() != Some(text) {
            stale.push(path.display().to_string());
        }
    }
    for extra in committed_bindings
        .iter()
        .filter(|p| !files.contains_key(*p))
    {
        stale.push(format!(
            "{} (no longer named by any command)",
            extra.display()
        ));
    }
    assert!(
        stale.is_empty(),
        "stale UI bindings: {stale:?}; rewrite them with `BERTH_UPDATE_BINDINGS=1 cargo test -p berth typescript`"
    );
}

#[test]
fn a_command_with_a_channel_takes_a_callback_and_arguments_are_camel_case() {
    let commands = all();
    let attach = commands.iter().find(|c| c.name == "attach_job").unwrap();
    let text = function(attach);
    assert!(
        text.contains(
            "export function attachJob(id: string, watcher: string, onEvent: (event: JobEvent) => void)"
        ),
        "{text}"
    );
    assert!(text.contains("call<JobSummary | null>('attach_job', { id, watcher, channel })"));
    let check = commands
        .iter()
        .find(|c| c.name == "check_permissions")
        .unwrap();
    assert!(function(check).contains("{ roleName, userName }"));
    let clear = commands
        .iter()
        .find(|c| c.name == "clear_activity")
        .unwrap();
    assert!(function(clear).contains("Promise<void>"));
}
