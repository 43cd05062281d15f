# Shared by scripts/start.sh and scripts/test.sh: where caches live, and timed steps.
# A cargo target dir outside the clone lets every checkout on this machine reuse one build.
export BERTH_CACHE="${BERTH_CACHE:-/var/cache/berth}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$BERTH_CACHE/target}"
export PATH="$HOME/.cargo/bin:$BERTH_CACHE/tools/bin:$PATH"
# The app is built with its UI embedded (no dev server): the same binary for users and tests.
export BERTH_APP_FEATURES="berth/custom-protocol"
export BERTH_APP_BIN="$CARGO_TARGET_DIR/debug/berth"

step() {
  local name=$1
  shift
  local started=$SECONDS
  echo "==> $name"
  "$@"
  echo "    $name: $((SECONDS - started)) s"
}

install_node_modules() {
  local dir
  for dir in "$@"; do
    # npm ci is slow even when nothing changed; skip it when the lock file is what was installed.
    if [ -f "$dir/node_modules/.package-lock.json" ] && cmp -s "$dir/package-lock.json" "$dir/node_modules/.berth-lock"; then
      continue
    fi
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error && cp package-lock.json node_modules/.berth-lock)
  done
}

build_app() {
  npm --prefix ui run build
  cargo build -p berth --features "$BERTH_APP_FEATURES"
}

# Where `tauri build` (scripts/package.sh) leaves the .deb.
export BERTH_DEB_DIR="$CARGO_TARGET_DIR/release/bundle/deb"
