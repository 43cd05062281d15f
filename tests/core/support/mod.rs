// Each test binary uses only some of these helpers.
#![allow(dead_code)]

//! Reads the addresses of the real local test stack that `tests/stack/up.sh` started.

/// A variable the stack's env file sets. Panics with the fix when the stack is not running:
/// these tests exercise real components and must not silently pass without them.
pub fn stack_var(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!(
            "{name} is not set: start the local test stack with `tests/stack/up.sh` and \
             `source /tmp/berth-stack/env` (or run scripts/test.sh, which does both)"
        )
    })
}

/// A name no other test run uses, so parallel and repeated runs never collide in the keychain.
pub fn unique_name(prefix: &str) -> String {
    use std::time::{SystemTime, UNIX_EPOCH};
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!("{prefix}-{}-{nanos}", std::process::id())
}

/// Runs `secret-tool` (libsecret's own client, not Berth's code) on the stack's D-Bus session.
pub fn secret_tool(args: &[&str]) -> std::process::Output {
    stack_var("DBUS_SESSION_BUS_ADDRESS");
    std::process::Command::new("secret-tool")
        .args(args)
        .output()
        .expect("secret-tool runs (apt libsecret-tools)")
}
