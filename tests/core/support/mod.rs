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
