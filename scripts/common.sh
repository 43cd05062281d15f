# Shared by scripts/start.sh, scripts/test.sh and scripts/package.sh: where caches live, the one
# build of the app, and timed steps.
# A cargo target dir outside the clone lets every checkout on this machine reuse one build.
export BERTH_CACHE="${BERTH_CACHE:-/var/cache/berth}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$BERTH_CACHE/target}"
export PATH="$HOME/.cargo/bin:$BERTH_CACHE/tools/bin:$PATH"
# The app is built with its UI embedded (no dev server), in one profile, release: the binary a
# user starts, the one the end-to-end tests drive, the one in the .deb and the Rust tests all
# share one compilation of the dependencies.
export BERTH_APP_FEATURES="berth/custom-protocol"
export BERTH_APP_BIN="$CARGO_TARGET_DIR/release/berth"

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

build_ui() {
  npm --prefix ui run build
}

build_app() {
  build_ui
  cargo build --release -p berth --features "$BERTH_APP_FEATURES"
}

# Runs cargo with Berth's own crates compiled by clippy-driver (rustc plus clippy's lints, as
# `cargo clippy` runs it) and every warning an error: one compilation both builds and lints, where
# `cargo clippy` would check every dependency a second time. The dependencies are compiled by
# rustc alone, as in every other build.
with_lints() {
  RUSTC_WORKSPACE_WRAPPER="$(command -v clippy-driver)" \
    CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__" \
    "$@"
}

# The release binaries (the app the end-to-end tests drive and the .deb ships, and the benchmark's
# empty window) and the Rust tests, in one linted compilation: `cargo test --no-run` alone builds
# only test harnesses, not the app's binary, and a binary left by an earlier build (of another
# checkout sharing the target dir) would be tested and packaged instead. The check after it makes
# sure the binary embeds the UI just built.
build_release_with_tests() {
  with_lints cargo build --release --workspace --features "$BERTH_APP_FEATURES" --bins || return
  with_lints cargo test --release --workspace --features "$BERTH_APP_FEATURES" --no-run || return
  if [ ! "$BERTH_APP_BIN" -nt ui/dist/index.html ]; then
    echo "$BERTH_APP_BIN is older than ui/dist/index.html: it was not built from this checkout" >&2
    return 1
  fi
}

# Where `tauri build` (scripts/package.sh) leaves the .deb.
export BERTH_DEB_DIR="$CARGO_TARGET_DIR/release/bundle/deb"
