#!/usr/bin/env bash
# Builds Berth's release .deb with the Tauri CLI (pinned in ui/package.json) and prints its path.
#
#   bash scripts/package.sh        (after scripts/install-deps.sh --app-only)
#   bash scripts/package.sh --already-built    (bundle the release binary that is there)
#
# The CLI treats the folder holding tauri.conf.json as the app crate; the real file sits at the top
# level and src-tauri/tauri.conf.json links to it, so the CLI runs from src-tauri (as in the README's
# `tauri dev`): it then runs the config's hooks from the top level (from the top level it would pick
# the first package.json it finds, tests/e2e, as the frontend folder instead). It runs the
# config's beforeBuildCommand (the UI build), `cargo build --release` with the custom-protocol
# feature (the UI embedded in the binary), then bundles the .deb. Only the deb bundler runs:
# AppImage and the others download tools from the internet while bundling.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/common.sh

step "install UI packages" install_node_modules ui
if [ "${1:-}" = --already-built ]; then
  # scripts/test.sh has just built the release binary (UI embedded) with the tests: bundle that
  # binary. `tauri build` would compile the app crate again (its build script sees other
  # variables), minutes on two cores.
  step "tauri bundle (the .deb of the release binary built)" bash -c 'cd src-tauri && ../ui/node_modules/.bin/tauri bundle --bundles deb --ci'
else
  step "tauri build (release binary + .deb)" bash -c 'cd src-tauri && ../ui/node_modules/.bin/tauri build --bundles deb --ci'
fi
deb=$(ls -t "$BERTH_DEB_DIR"/berth_*_amd64.deb "$BERTH_DEB_DIR"/Berth_*_amd64.deb 2>/dev/null | head -1 || true)
[ -n "$deb" ] || { echo "no .deb in $BERTH_DEB_DIR" >&2; exit 1; }
echo "$deb"
