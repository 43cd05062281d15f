#!/usr/bin/env bash
# Start Berth's local test stack on free loopback ports; see README.md beside this file.
#
#   tests/stack/up.sh [STATE_DIR]     (default: $BERTH_STACK_DIR, else /tmp/berth-stack)
#
# Starts dockerd (only if no engine answers), a registry with basic auth that stands in for ECR,
# the strict AWS backend (moto patched by practice/berth_moto, whose tasks run on that engine), a
# private D-Bus session bus with an unlocked gnome-keyring, Xvfb and tauri-driver. Writes STATE_DIR/env (source
# it) and STATE_DIR/pids (what tests/stack/down.sh stops). Needs scripts/install-deps.sh first.
set -euo pipefail
shopt -s inherit_errexit

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
STATE_DIR=${1:-${BERTH_STACK_DIR:-/tmp/berth-stack}}
mkdir -p "$STATE_DIR"
STATE_DIR=$(cd "$STATE_DIR" && pwd)
BERTH_CACHE=${BERTH_CACHE:-/var/cache/berth}
DOCKER_SOCK=${BERTH_DOCKER_SOCK:-/var/run/docker.sock}
MOTO_PYTHON=${BERTH_MOTO_PYTHON:-$BERTH_CACHE/moto-venv/bin/python}
# BERTH_MOTO_SERVER=<path of moto_server>: plain, lenient moto instead (to compare; not for CI).
MOTO_SERVER=${BERTH_MOTO_SERVER:-}
TEST_IMAGE=berth-test/busybox:latest
MARKER=$STATE_DIR/.berth-stack   # holds this stack's token; its presence marks the dir as ours
PIDS=$STATE_DIR/pids

# Every process we start gets BERTH_STACK_TOKEN=<token> in its environment (not in the env file):
# down.sh kills a recorded pid only if it still carries the token, and sweeps up any other process
# that carries it (WebKitWebDriver, the app under test, D-Bus-activated services, containerd...).

T0=$(date +%s.%N)
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN{printf "%.2fs", b-a}'; }
log() { printf '[stack] %s\n' "$*"; }
export no_proxy="127.0.0.1,localhost${no_proxy:+,$no_proxy}" NO_PROXY="127.0.0.1,localhost${NO_PROXY:+,$NO_PROXY}"
CURL=(curl -s --noproxy '*' --max-time 5)

proc_state() { sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1; }
alive() { local s; s=$(proc_state "$1"); [ -n "$s" ] && [ "$s" != Z ]; }
ours() { grep -qzxF "BERTH_STACK_TOKEN=$2" "/proc/$1/environ" 2>/dev/null; }

# ---------------------------------------------------------------- already running?
if [ -f "$PIDS" ] && [ -f "$MARKER" ]; then
  token=$(cat "$MARKER"); all=1; n=0
  while read -r name pid; do
    n=$((n + 1))
    if ! alive "$pid" || ! ours "$pid" "$token"; then all=0; log "$name (pid $pid) is gone"; fi
  done <"$PIDS"
  if [ "$all" = 1 ] && [ "$n" -gt 0 ] && [ -f "$STATE_DIR/env" ]; then
    log "already running in $STATE_DIR ($n processes); source $STATE_DIR/env"
    exit 0
  fi
  log "stack in $STATE_DIR is incomplete: stopping it and starting afresh"
  "$HERE/down.sh" "$STATE_DIR"
  mkdir -p "$STATE_DIR"
fi
# A leftover dir (e.g. logs kept after a failed start) is wiped, but only if it is ours or empty.
if [ -n "$(ls -A "$STATE_DIR")" ]; then
  [ -f "$MARKER" ] || { log "ERROR: $STATE_DIR is not empty and is not a Berth stack dir; refusing to use it"; exit 1; }
  if [ -f "$PIDS" ]; then "$HERE/down.sh" "$STATE_DIR"; mkdir -p "$STATE_DIR"; fi
  find "$STATE_DIR" -mindepth 1 -delete
fi

TOKEN=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
echo "$TOKEN" >"$MARKER"
: >"$PIDS"
mkdir -p "$STATE_DIR/home" "$STATE_DIR/runtime"
chmod 700 "$STATE_DIR/home" "$STATE_DIR/runtime"

# ---------------------------------------------------------------- helpers
STARTED_OK=0
on_exit() {
  if [ "$STARTED_OK" != 1 ]; then
    log "start failed: stopping what was started (logs kept in $STATE_DIR)"
    "$HERE/down.sh" --keep-logs "$STATE_DIR" || true
  fi
}
trap on_exit EXIT

fail() { # component logfile message
  log "ERROR: $1: $3"
  if [ -n "$2" ] && [ -f "$2" ]; then
    log "---- last lines of $2"
    tail -n 25 "$2" | sed 's/^/[stack]   /'
    log "----"
  fi
  exit 1
}

# launch NAME LOGFILE CMD...: start CMD in its own session (pid = process group id) with the
# stack token, record "NAME PID" in STATE_DIR/pids. Stdin from $LAUNCH_STDIN (default /dev/null).
launch() {
  local name=$1 logf=$2 pidf=$STATE_DIR/.$1.pid
  shift 2
  rm -f "$pidf"
  # shellcheck disable=SC2016  # $$ and "$@" are for the inner sh
  BERTH_STACK_TOKEN=$TOKEN setsid sh -c 'echo $$ >"$0.tmp" && mv "$0.tmp" "$0" && exec "$@"' "$pidf" "$@" \
    <"${LAUNCH_STDIN:-/dev/null}" >>"$logf" 2>&1 &
  for _ in $(seq 200); do [ -s "$pidf" ] && break; sleep 0.01; done
  [ -s "$pidf" ] || fail "$name" "$logf" "could not start $1"
  echo "$name $(cat "$pidf")" >>"$PIDS"
  rm -f "$pidf"
}
pid_of() { awk -v n="$1" '$1==n{print $2}' "$PIDS"; }

# wait_for NAME LOGFILE TIMEOUT_S CHECK...: poll CHECK every 0.05 s; fail if the process died.
wait_for() {
  local name=$1 logf=$2 timeout=$3 pid deadline
  shift 3
  pid=$(pid_of "$name")
  deadline=$(awk -v t="$timeout" -v n="$(date +%s.%N)" 'BEGIN{printf "%.2f", n+t}')
  until "$@" >/dev/null 2>&1; do
    if [ -n "$pid" ] && ! alive "$pid"; then fail "$name" "$logf" "exited during start"; fi
    if awk -v d="$deadline" -v n="$(date +%s.%N)" 'BEGIN{exit !(n>d)}'; then
      fail "$name" "$logf" "not ready after ${timeout}s"
    fi
    sleep 0.05
  done
}

free_ports() { # N: print N distinct free loopback TCP ports
  python3 - "$1" <<'PY'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
PY
}

need() { command -v "$1" >/dev/null 2>&1 || fail "$2" "" "'$1' not found: run scripts/install-deps.sh"; }
need dockerd docker; need docker docker; need docker-registry registry; need htpasswd registry
need dbus-daemon keychain; need gnome-keyring-daemon keychain; need secret-tool keychain
need Xvfb xvfb; need jq registry; need python3 ports
# The e2e tests start a tray host and a notification service per test (tests/e2e/support/desktop.mjs).
need trayer desktop; need dunst desktop; need dunstctl desktop; need xdotool desktop
[ -x /usr/libexec/at-spi-bus-launcher ] || fail desktop "" "/usr/libexec/at-spi-bus-launcher missing (apt at-spi2-core): run scripts/install-deps.sh"
/usr/bin/python3 -c 'import Xlib, gi; gi.require_version("Atspi", "2.0")' 2>/dev/null ||
  fail desktop "" "python3-xlib or gir1.2-atspi-2.0 missing for /usr/bin/python3: run scripts/install-deps.sh"
[ -x "$MOTO_PYTHON" ] || fail moto "" "$MOTO_PYTHON not found: run scripts/install-deps.sh"
"$MOTO_PYTHON" -c 'import moto, docker' 2>/dev/null || fail moto "" "moto or docker missing in $MOTO_PYTHON's venv: run scripts/install-deps.sh"
[ -z "$MOTO_SERVER" ] || [ -x "$MOTO_SERVER" ] || fail moto "" "BERTH_MOTO_SERVER=$MOTO_SERVER not found"
TAURI_DRIVER=${BERTH_TAURI_DRIVER:-$BERTH_CACHE/tools/bin/tauri-driver}
[ -x "$TAURI_DRIVER" ] || TAURI_DRIVER=$(command -v tauri-driver || true)
[ -n "$TAURI_DRIVER" ] || fail tauri-driver "" "tauri-driver not found in $BERTH_CACHE/tools/bin or PATH: run scripts/install-deps.sh"
[ -x /usr/bin/WebKitWebDriver ] || fail tauri-driver "" "/usr/bin/WebKitWebDriver missing (apt webkit2gtk-driver): run scripts/install-deps.sh"

read -r MOTO_PORT REGISTRY_PORT WD_PORT WD_NATIVE_PORT <<<"$(free_ports 4)"
BUS=$STATE_DIR/bus
BUS_ADDR=unix:path=$BUS
# Environment for the keychain processes (and the app under tauri-driver): a private HOME.
KEY_ENV=(HOME="$STATE_DIR/home" XDG_RUNTIME_DIR="$STATE_DIR/runtime" XDG_CONFIG_HOME="$STATE_DIR/home/.config"
         XDG_DATA_HOME="$STATE_DIR/home/.local/share" XDG_CACHE_HOME="$STATE_DIR/home/.cache")

# ---------------------------------------------------------------- Xvfb (slow-ish: start first, wait later)
XVFB_LOG=$STATE_DIR/xvfb.log
first_free_display() { local n=$1; while [ -e "/tmp/.X$n-lock" ] || [ -e "/tmp/.X11-unix/X$n" ]; do n=$((n + 1)); done; echo "$n"; }
xvfb_launch() { # display number; -displayfd 3: Xvfb writes the number once it accepts connections
  : >"$STATE_DIR/xvfb.display"
  launch xvfb "$XVFB_LOG" Xvfb ":$1" -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$STATE_DIR/xvfb.display"
}
XVFB_N=$(first_free_display "${BERTH_XVFB_FIRST_DISPLAY:-99}")
xvfb_launch "$XVFB_N"

# ---------------------------------------------------------------- docker engine
t=$(date +%s.%N)
docker_ping() { [ "$("${CURL[@]}" --unix-socket "$DOCKER_SOCK" http://localhost/_ping)" = OK ]; }
if docker_ping; then
  echo external >"$STATE_DIR/docker-owner"
  log "docker: engine already answering on $DOCKER_SOCK (not ours, will not be stopped) $(elapsed "$t")"
else
  DOCKERD_LOG=$STATE_DIR/dockerd.log
  live_dockerd=
  for p in $(pgrep -x dockerd || true); do alive "$p" && live_dockerd=$p; done   # (pgrep lists zombies too)
  if [ -n "$live_dockerd" ]; then
    log "docker: a dockerd (pid $live_dockerd) runs but $DOCKER_SOCK does not answer yet; waiting for it (not ours)"
    echo external >"$STATE_DIR/docker-owner"
    wait_for docker-external "" 60 docker_ping
    log "docker: engine ready on $DOCKER_SOCK (not ours, will not be stopped) $(elapsed "$t")"
  else
    echo ours >"$STATE_DIR/docker-owner"
    echo "$DOCKER_SOCK" >"$STATE_DIR/docker-sock"
    launch dockerd "$DOCKERD_LOG" dockerd -H "unix://$DOCKER_SOCK"
    wait_for dockerd "$DOCKERD_LOG" 60 docker_ping
    log "docker: started dockerd, ready on $DOCKER_SOCK $(elapsed "$t")"
  fi
fi
export DOCKER_HOST=unix://$DOCKER_SOCK

# ---------------------------------------------------------------- registry + AWS backend (wait later)
# The registry stands in for ECR: its credentials are what ECR's GetAuthorizationToken returns in
# every account (the strict backend's setting), and the backend pulls task images from it.
t=$(date +%s.%N)
REGISTRY=127.0.0.1:$REGISTRY_PORT
REGISTRY_LOG=$STATE_DIR/registry.log
REG_USER=AWS
REG_PASS=$(od -An -N18 -tx1 /dev/urandom | tr -d ' \n')
# plain moto's token is "AWS:<account>-auth-token" (default account): the registry accepts that
[ -z "$MOTO_SERVER" ] || REG_PASS=123456789012-auth-token
mkdir -p "$STATE_DIR/registry-data"
htpasswd -Bbn "$REG_USER" "$REG_PASS" >"$STATE_DIR/htpasswd" 2>/dev/null
(umask 077 && printf '%s' "$REG_PASS" >"$STATE_DIR/.registry-password")
cat >"$STATE_DIR/registry.yml" <<YML
version: 0.1
log:
  level: info
storage:
  filesystem:
    rootdirectory: $STATE_DIR/registry-data
  delete:
    enabled: true
http:
  addr: $REGISTRY
  secret: $TOKEN
auth:
  htpasswd:
    realm: berth-test-registry
    path: $STATE_DIR/htpasswd
YML
launch registry "$REGISTRY_LOG" docker-registry serve "$STATE_DIR/registry.yml"

MOTO_LOG=$STATE_DIR/moto.log
MOTO_INSTANCE=stack-$TOKEN   # label of the backend's task containers (down.sh sweeps them too)
echo "$DOCKER_HOST" >"$STATE_DIR/docker-host"
if [ -n "$MOTO_SERVER" ]; then
  log "moto: BERTH_MOTO_SERVER set: plain, lenient moto (no rules, no scheduler, no containers)"
  MOTO_INSTANCE=
  launch moto "$MOTO_LOG" env MOTO_IAM_LOAD_MANAGED_POLICIES=true "$MOTO_SERVER" -H 127.0.0.1 -p "$MOTO_PORT"
else
  launch moto "$MOTO_LOG" env -C "$HERE/../../practice" MOTO_IAM_LOAD_MANAGED_POLICIES=true DOCKER_HOST="$DOCKER_HOST" \
    "$MOTO_PYTHON" -m berth_moto --host 127.0.0.1 --port "$MOTO_PORT" --registry "$REGISTRY" \
    --registry-user "$REG_USER" --registry-password-file "$STATE_DIR/.registry-password" --instance "$MOTO_INSTANCE"
fi
T_MOTO=$t

# ---------------------------------------------------------------- test image
t=$(date +%s.%N)
if docker image inspect "$TEST_IMAGE" >/dev/null 2>&1; then
  log "image: $TEST_IMAGE present $(elapsed "$t")"
else
  [ -x /bin/busybox ] || fail image "" "/bin/busybox missing (apt busybox-static)"
  ctx=$(mktemp -d)
  cp "$HERE/busybox/Dockerfile" /bin/busybox "$ctx/"
  if ! docker build -q -t "$TEST_IMAGE" "$ctx" >"$STATE_DIR/image-build.log" 2>&1; then
    rm -rf "$ctx"; fail image "$STATE_DIR/image-build.log" "docker build of $TEST_IMAGE failed"
  fi
  rm -rf "$ctx"
  log "image: built $TEST_IMAGE $(elapsed "$t")"
fi

# ---------------------------------------------------------------- keychain
t=$(date +%s.%N)
DBUS_LOG=$STATE_DIR/dbus.log
KEY_ENV_LAUNCH=(env "${KEY_ENV[@]}")
launch dbus "$DBUS_LOG" "${KEY_ENV_LAUNCH[@]}" dbus-daemon --session --nofork --nopidfile --address="$BUS_ADDR"
wait_for dbus "$DBUS_LOG" 10 test -S "$BUS"
KEYRING_LOG=$STATE_DIR/keyring.log
printf 'berth-stack' >"$STATE_DIR/.keyring-pw"   # throwaway password of a throwaway keyring
LAUNCH_STDIN=$STATE_DIR/.keyring-pw launch keyring "$KEYRING_LOG" "${KEY_ENV_LAUNCH[@]}" DBUS_SESSION_BUS_ADDRESS="$BUS_ADDR" \
  gnome-keyring-daemon --foreground --unlock --components=secrets
secrets_owned() {
  DBUS_SESSION_BUS_ADDRESS=$BUS_ADDR dbus-send --session --print-reply --dest=org.freedesktop.DBus \
    /org/freedesktop/DBus org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets | grep -q 'boolean true'
}
wait_for keyring "$KEYRING_LOG" 10 secrets_owned
rm -f "$STATE_DIR/.keyring-pw"
keyring_probe() {
  local v
  export DBUS_SESSION_BUS_ADDRESS=$BUS_ADDR HOME=$STATE_DIR/home
  printf 'probe-%s' "$TOKEN" | secret-tool store --label=berth-stack-probe service berth-stack-probe account probe
  v=$(secret-tool lookup service berth-stack-probe account probe)
  secret-tool clear service berth-stack-probe account probe
  [ "$v" = "probe-$TOKEN" ]
}
( keyring_probe ) >>"$KEYRING_LOG" 2>&1 || fail keyring "$KEYRING_LOG" "secret-tool store/lookup round-trip failed"
log "keychain: D-Bus $BUS_ADDR, gnome-keyring unlocked $(elapsed "$t")"

# ---------------------------------------------------------------- registry + AWS backend (wait)
t=$(date +%s.%N)
registry_up() { [ "$("${CURL[@]}" -o /dev/null -w '%{http_code}' "http://$REGISTRY/v2/")" = 401 ]; }
wait_for registry "$REGISTRY_LOG" 15 registry_up
log "registry: $REGISTRY (basic auth, user '$REG_USER') $(elapsed "$t")"
MOTO_URL=http://127.0.0.1:$MOTO_PORT
wait_for moto "$MOTO_LOG" 60 "${CURL[@]}" -f -o /dev/null "$MOTO_URL/moto-api/"
# ECR's token must log in to the registry (moto routes by the SigV4 credential scope and does not
# check signatures, so a well-formed header is enough).
ecr_json=$("${CURL[@]}" "$MOTO_URL/" -H 'Content-Type: application/x-amz-json-1.1' \
  -H 'X-Amz-Target: AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken' \
  -H 'Authorization: AWS4-HMAC-SHA256 Credential=testing/20200101/us-east-1/ecr/aws4_request, SignedHeaders=host, Signature=0' \
  -d '{}') || fail moto "$MOTO_LOG" "ECR GetAuthorizationToken request failed"
ecr_pair=$(printf '%s' "$ecr_json" | jq -r '.authorizationData[0].authorizationToken' | base64 -d 2>/dev/null) ||
  fail moto "$MOTO_LOG" "unexpected GetAuthorizationToken answer: $ecr_json"
[ "$ecr_pair" = "$REG_USER:$REG_PASS" ] || fail moto "$MOTO_LOG" "ECR's token does not decode to the registry's credentials"
if [ -n "$MOTO_SERVER" ]; then moto_kind="plain moto"; else moto_kind="strict backend, containers labelled berth.moto.instance=$MOTO_INSTANCE"; fi
log "moto: $MOTO_URL ready $(elapsed "$T_MOTO") since launch ($moto_kind)"

# ---------------------------------------------------------------- env file (also the app's env under tauri-driver)
q() { printf "'%s'" "${1//\'/\'\\\'\'}"; }   # single-quote for the shell
{
  echo "# Berth local test stack, written by tests/stack/up.sh on $(date -u +%FT%TZ). Source me."
  echo "export BERTH_STACK_DIR=$(q "$STATE_DIR")"
  echo "export DOCKER_HOST=$(q "unix://$DOCKER_SOCK")"
  echo "export BERTH_TEST_IMAGE=$(q "$TEST_IMAGE")"
  echo "export BERTH_TEST_REGISTRY=$(q "$REGISTRY")"
  echo "export BERTH_TEST_REGISTRY_USER=$(q "$REG_USER")"
  echo "export BERTH_TEST_REGISTRY_PASSWORD=$(q "$REG_PASS")"
  echo "export BERTH_TEST_MOTO_URL=$(q "$MOTO_URL")"
  echo "export BERTH_TEST_MOTO_INSTANCE=$(q "$MOTO_INSTANCE")"
  echo "# Fake AWS credentials for moto (it accepts any); never real ones, never the user's ~/.aws."
  echo "export AWS_ACCESS_KEY_ID=testing-not-a-real-key"
  echo "export AWS_SECRET_ACCESS_KEY=testing-not-a-real-secret"
  echo "unset AWS_SESSION_TOKEN AWS_PROFILE AWS_DEFAULT_PROFILE"
  echo "export AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1"
  echo "export AWS_CONFIG_FILE=$(q "$STATE_DIR/home/.aws/config") AWS_SHARED_CREDENTIALS_FILE=$(q "$STATE_DIR/home/.aws/credentials")"
  echo "export AWS_EC2_METADATA_DISABLED=true"
  echo "export DBUS_SESSION_BUS_ADDRESS=$(q "$BUS_ADDR")"
  echo "export BERTH_TEST_KEYRING_HOME=$(q "$STATE_DIR/home")"
  echo "export BERTH_TEST_XDG_RUNTIME_DIR=$(q "$STATE_DIR/runtime")"
  echo "export no_proxy=$(q "$no_proxy") NO_PROXY=$(q "$NO_PROXY")"
} >"$STATE_DIR/env.partial"

# ---------------------------------------------------------------- Xvfb (wait) + tauri-driver
t=$(date +%s.%N)
xvfb_ready() { grep -qE '^[0-9]+$' "$STATE_DIR/xvfb.display"; }
for attempt in 1 2 3 4 5; do
  xpid=$(pid_of xvfb)
  for _ in $(seq 300); do xvfb_ready && break; alive "$xpid" || break; sleep 0.05; done
  xvfb_ready && break
  # another X server took the display between our check and Xvfb's start: try the next one
  if ! alive "$xpid" && [ "$attempt" -lt 5 ] && grep -qE 'already active|Cannot establish any listening sockets' "$XVFB_LOG"; then
    log "xvfb: display :$XVFB_N taken, trying the next one"
    sed -i '/^xvfb /d' "$PIDS"
    XVFB_N=$(first_free_display $((XVFB_N + 1)))
    xvfb_launch "$XVFB_N"
    continue
  fi
  fail xvfb "$XVFB_LOG" "Xvfb :$XVFB_N not ready"
done
DISPLAY=:$(head -n1 "$STATE_DIR/xvfb.display")
TD_LOG=$STATE_DIR/tauri-driver.log
# tauri-driver, WebKitWebDriver and the app they start get the env file's values, the private
# HOME/XDG dirs (the app's config and keychain), the D-Bus bus and the display.
(
  set -a
  # shellcheck disable=SC1091
  . "$STATE_DIR/env.partial"
  set +a
  LAUNCH_STDIN=/dev/null
  launch tauri-driver "$TD_LOG" env "${KEY_ENV[@]}" DISPLAY="$DISPLAY" \
    "$TAURI_DRIVER" --port "$WD_PORT" --native-port "$WD_NATIVE_PORT" --native-driver /usr/bin/WebKitWebDriver
)
wd_up() { "${CURL[@]}" -f "http://127.0.0.1:$WD_PORT/status"; }
wait_for tauri-driver "$TD_LOG" 20 wd_up
log "xvfb: DISPLAY=$DISPLAY; tauri-driver: http://127.0.0.1:$WD_PORT $(elapsed "$t")"

{
  cat "$STATE_DIR/env.partial"
  echo "export DISPLAY=$(q "$DISPLAY")"
  echo "export BERTH_TEST_WEBDRIVER_URL=$(q "http://127.0.0.1:$WD_PORT")"
  echo "export BERTH_TEST_WEBDRIVER_PORT=$WD_PORT"
  echo "export BERTH_TEST_TAURI_DRIVER=$(q "$TAURI_DRIVER")"
} >"$STATE_DIR/env.tmp"
mv "$STATE_DIR/env.tmp" "$STATE_DIR/env"
rm -f "$STATE_DIR/env.partial"

STARTED_OK=1
log "stack up in $(elapsed "$T0"): source $STATE_DIR/env   (stop: tests/stack/down.sh $STATE_DIR)"
