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

/// Sets how many more requests moto serves without checking signatures and permissions
/// (`/moto-api/reset-auth`): 0 turns its IAM authorization on now, u32::MAX effectively off.
pub fn set_moto_auth(unauthenticated_actions_left: u64) {
    let url = format!("{}/moto-api/reset-auth", stack_var("BERTH_TEST_MOTO_URL"));
    let status = std::process::Command::new("curl")
        .args(["-sf", "-o", "/dev/null", "-X", "POST"])
        .args(["-H", "Content-Type: text/plain", "--data-raw"])
        .arg(unauthenticated_actions_left.to_string())
        .arg(url)
        .status()
        .expect("curl runs");
    assert!(status.success(), "moto's reset-auth failed");
}
