#!/usr/bin/env bash
# Berth's benchmarks in one table, printed and written to docs/benchmarks.md:
#   - launch to an interactive first screen (median of RUNS launches) and the memory (RSS, PSS) of
#     every app process at rest and with the Deployments view open, with their ratios to an empty
#     Tauri window measured in the same run                          (scripts/bench/app.mjs)
#   - the .deb's size and installed size                               (scripts/package.sh's output)
#   - one dashboard refresh of 200 services / 1,000 tasks in moto: time and API calls
#                                                                      (tests/core/status_scale.rs)
#   - image push and build time, Berth / docker CLI                    (scripts/bench-image.sh)
#
#   bash scripts/bench/all.sh [RUNS]        (default 5; with scripts/test.sh's tools installed)
#
#   BERTH_BENCH_BIN  the app binary measured for start-up and memory; default the release build
#                    ($CARGO_TARGET_DIR/release/berth), else the installed /usr/bin/berth, else
#                    the debug build
#   BERTH_DEB        the .deb measured; default the newest in $BERTH_DEB_DIR
# Uses the test stack whose env is sourced, or starts one of its own and stops it afterwards.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/common.sh
RUNS=${1:-5}
IMAGE_RUNS=${BERTH_BENCH_IMAGE_RUNS:-3}
OUT=docs/benchmarks.md
WORK=$(mktemp -d /tmp/berth-bench-all.XXXXXX)
STACK=
cleanup() {
  if [ -n "$STACK" ]; then bash tests/stack/down.sh "$STACK" >/dev/null 2>&1 || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

if [ -z "${BERTH_TEST_MOTO_URL:-}" ]; then
  STACK=$WORK/stack
  step "start a test stack" bash tests/stack/up.sh "$STACK"
  # shellcheck disable=SC1091
  source "$STACK/env"
fi

bin=${BERTH_BENCH_BIN:-}
if [ -z "$bin" ]; then
  for candidate in "$CARGO_TARGET_DIR/release/berth" /usr/bin/berth "$BERTH_APP_BIN"; do
    if [ -x "$candidate" ]; then bin=$candidate; break; fi
  done
fi
[ -x "$bin" ] || { echo "no Berth binary to measure (build it, or set BERTH_BENCH_BIN)" >&2; exit 1; }
deb=${BERTH_DEB:-$(ls -t "$BERTH_DEB_DIR"/*.deb 2>/dev/null | head -1 || true)}

# The baseline: an empty window of the same Tauri, built with the workspace as the tests build it.
window_bin=$CARGO_TARGET_DIR/release/berth-bench-window
# Linted release, the flavour CI builds, so the shared target dir's artifacts are reused.
step "build the empty Tauri window (the start-up baseline)" \
  with_lints cargo build --release --workspace --features "$BERTH_APP_FEATURES" --bin berth-bench-window
step "start-up and memory of $bin vs the empty window ($RUNS launches each)" \
  env BERTH_APP_BIN="$bin" BERTH_BENCH_WINDOW_BIN="$window_bin" sh -c 'node scripts/bench/app.mjs "$1" >"$2"' _ "$RUNS" "$WORK/app.json"
step "dashboard refresh, 200 services / 1,000 tasks in moto" \
  with_lints env BERTH_BENCH_OUT="$WORK/scale.json" cargo test -q --release --workspace --features "$BERTH_APP_FEATURES" --test core -- serial::status_scale --nocapture
step "image push and build, Berth vs docker CLI ($IMAGE_RUNS runs)" \
  sh -c 'bash scripts/bench-image.sh "$1" | tee "$2"' _ "$IMAGE_RUNS" "$WORK/image.txt"

if [ -f "$deb" ]; then
  printf '{"path":"%s","bytes":%s,"installedKiB":%s,"depends":"%s"}\n' "$(basename "$deb")" "$(stat -c %s "$deb")" \
    "$(dpkg-deb --field "$deb" Installed-Size)" "$(dpkg-deb --field "$deb" Depends)" >"$WORK/deb.json"
fi
printf '{"binary":"%s","binaryBytes":%s,"cores":%s,"memGiB":%s,"os":"%s","load":"%s"}\n' "$bin" "$(stat -L -c %s "$bin")" \
  "$(nproc)" "$(awk '/MemTotal/{printf "%.0f", $2/1048576}' /proc/meminfo)" \
  "$(. /etc/os-release && echo "$PRETTY_NAME")" "$(cut -d' ' -f1-3 /proc/loadavg)" >"$WORK/machine.json"

node scripts/bench/table.mjs "$WORK" "$RUNS" >"$OUT"
echo
cat "$OUT"
echo "(written to $OUT)"
