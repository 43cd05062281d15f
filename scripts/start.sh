#!/usr/bin/env bash
# Sets up what Berth needs on a Debian/Ubuntu machine, builds it, and starts the app.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/common.sh

step "install system packages and tools" bash scripts/install-deps.sh --app-only
step "install UI packages" install_node_modules ui
step "build Berth" build_app
echo "==> starting Berth ($BERTH_APP_BIN)"
exec "$BERTH_APP_BIN"
