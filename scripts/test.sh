#!/usr/bin/env bash
# Sets up what the tests need on a Debian/Ubuntu machine and runs every test of Berth against the
# real local stack (Docker engine, registry, the strict AWS emulator, gnome-keyring, the app under
# Xvfb + WebDriver).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/common.sh
started_at=$SECONDS

step "install system packages and tools" bash scripts/install-deps.sh
step "install node packages" install_node_modules ui tests/e2e

step "rustfmt" cargo fmt --all --check
step "UI type check" npm --prefix ui run check
step "UI unit tests" npm --prefix ui test
# One release compilation, linted as it compiles (see with_lints): the app, the Rust tests, and
# then the .deb, which reuses it. The app under test is the binary the .deb ships.
step "build the UI" build_ui
step "build and lint the app and the Rust tests (release)" build_release_with_tests
step "package the .deb" bash scripts/package.sh --already-built
# Known vulnerabilities in Cargo.lock and ui/package-lock.json fail the run; an advisory database
# that cannot be reached is reported as "dependency audit not done", not as clean.
step "dependency audit" bash scripts/audit.sh

export BERTH_STACK_DIR="${BERTH_STACK_DIR:-$(mktemp -d /tmp/berth-stack.XXXXXX)}"
trap 'bash tests/stack/down.sh "$BERTH_STACK_DIR" >/dev/null 2>&1 || true' EXIT
step "start the local test stack" bash tests/stack/up.sh "$BERTH_STACK_DIR"
# shellcheck disable=SC1091
source "$BERTH_STACK_DIR/env"
step "check every part of the stack answers" bash tests/stack/check.sh "$BERTH_STACK_DIR"
# The strict AWS emulator itself: each rule it adds to moto refuses what AWS refuses. Its tests
# mostly wait for the backend's timed transitions, so four processes (each starting a backend of
# its own) share two cores well.
step "strict AWS emulator tests" bash tests/stack/moto/run-tests.sh -n 4

step "Rust tests (core against the real stack)" \
  with_lints cargo test --release --workspace --features "$BERTH_APP_FEATURES" -- --skip serial::
# Tests that change the process environment or emulator-wide settings run alone (tests/core/main.rs).
step "Rust tests that change shared state, one at a time" \
  with_lints cargo test --release --workspace --features "$BERTH_APP_FEATURES" --test core -- serial:: --test-threads=1
export BERTH_E2E_ARTIFACTS="${BERTH_E2E_ARTIFACTS:-$PWD/tests/e2e/artifacts}"
step "end-to-end tests of the app (WebDriver)" node --test --test-concurrency=1 tests/e2e/
step "install the .deb and test the installed app" bash tests/package/run.sh
echo "all tests passed in $((SECONDS - started_at)) s"
