#!/usr/bin/env bash
# Berth's image benchmark, run by hand against the local Docker engine. Prints ratios measured in
# this one run:
#   push:  a ~200 MB image of 4 layers to an empty registry with basic auth — Berth / `docker push`
#          (goal ≤ 1.05)
#   build: a context of 20 MB kept and 1 GB excluded by .dockerignore, without cache —
#          Berth (BuildKit) / `docker build` (goal ≤ 1.1), and Berth with the classic builder
#   rebuild: the same folder after one 100 kB file changed, with the build cache — Berth with
#          BuildKit (sends only the changed file) and with the classic builder (sends all 20 MB)
# Each measurement pushes to a registry of its own (so every layer really uploads: no cross-repo
# mount) and builds without the cache. Runs alternate between Berth and the docker CLI.
#
#   bash scripts/bench-image.sh [RUNS]      (default 3; needs docker, docker-registry, htpasswd)
set -euo pipefail

RUNS=${1:-3}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/var/cache/berth/target}
export no_proxy="127.0.0.1,localhost${no_proxy:+,$no_proxy}" NO_PROXY="127.0.0.1,localhost${NO_PROXY:+,$NO_PROXY}"
WORK=$(mktemp -d /tmp/berth-bench-XXXXXX)
IMAGES=()
cleanup() {
  # Each registry left its pid beside its config: it is started inside $(registry), a subshell
  # whose variables the script never sees.
  for pidfile in "$WORK"/registry-*/pid; do
    [ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null || true
  done
  for image in "${IMAGES[@]}"; do docker rmi -f "$image" >/dev/null 2>&1 || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
log() { printf '[bench] %s\n' "$*" >&2; }

for tool in docker docker-registry htpasswd cargo; do
  command -v "$tool" >/dev/null || { log "$tool not found"; exit 1; }
done

# Linted release, the flavour CI builds (scripts/common.sh), so its artifacts are reused.
log "building Berth's bench driver (cargo build --release --example bench_image)"
(cd "$ROOT" && source scripts/common.sh && with_lints cargo build -q --release -p berth-core --example bench_image)
BENCH=$CARGO_TARGET_DIR/release/examples/bench_image

export BENCH_USER=bench BENCH_PASSWORD="bench-$RANDOM$RANDOM"
htpasswd -Bbn "$BENCH_USER" "$BENCH_PASSWORD" >"$WORK/htpasswd" 2>/dev/null

# A registry of its own on a free port, empty; prints host:port.
registry() {
  local dir port
  dir=$(mktemp -d "$WORK/registry-XXXX")
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  cat >"$dir/config.yml" <<YML
version: 0.1
log: {level: error}
storage: {filesystem: {rootdirectory: $dir/data}}
http: {addr: 127.0.0.1:$port, secret: bench}
auth: {htpasswd: {realm: bench, path: $WORK/htpasswd}}
YML
  docker-registry serve "$dir/config.yml" >/dev/null 2>&1 &
  echo $! >"$dir/pid"
  for _ in $(seq 100); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/v2/")" = 401 ] && break
    sleep 0.05
  done
  echo "127.0.0.1:$port"
}

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN{printf "%.3f", b-a}'; }
median() { sort -n | awk '{v[NR]=$1} END{print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }

# ---------------------------------------------------------------- push
log "making a 4-layer image of about 200 MB (random data, so nothing compresses away)"
mkdir -p "$WORK/image"
for i in 1 2 3 4; do head -c 52428800 /dev/urandom >"$WORK/image/layer$i.bin"; done
printf 'FROM scratch\nCOPY layer1.bin /\nCOPY layer2.bin /\nCOPY layer3.bin /\nCOPY layer4.bin /\n' >"$WORK/image/Dockerfile"
PUSH_IMAGE=berth-bench/push:src
docker build -q -t "$PUSH_IMAGE" "$WORK/image" >/dev/null
IMAGES+=("$PUSH_IMAGE")
rm -f "$WORK"/image/layer*.bin

export DOCKER_CONFIG=$WORK/docker-config   # the CLI's login goes here, not to ~/.docker
mkdir -p "$DOCKER_CONFIG"
berth_push=(); cli_push=()
for run in $(seq "$RUNS"); do
  reg=$(registry); name=$reg/bench/app
  docker tag "$PUSH_IMAGE" "$name:cli"; IMAGES+=("$name:cli")
  echo "$BENCH_PASSWORD" | docker login -u "$BENCH_USER" --password-stdin "$reg" >/dev/null 2>&1
  t=$(now); docker push -q "$name:cli" >/dev/null; cli_push+=("$(since "$t")")

  reg=$(registry); name=$reg/bench/app
  docker tag "$PUSH_IMAGE" "$name:berth"; IMAGES+=("$name:berth")
  berth_push+=("$("$BENCH" push "$name" berth "$reg" "$BENCH_USER" BENCH_PASSWORD)")
  log "push run $run: docker ${cli_push[-1]} s, Berth ${berth_push[-1]} s"
done

# ---------------------------------------------------------------- build
log "making a build context: 20 MB kept (200 files), 1 GB excluded by .dockerignore"
CTX=$WORK/context
mkdir -p "$CTX/src" "$CTX/node_modules"
for i in $(seq 200); do head -c 104857 /dev/urandom >"$CTX/src/file$i.bin"; done
# Excluded files are never read by either tool, so sparse files stand in for 1 GB of dependencies.
for i in $(seq 1000); do truncate -s 1048576 "$CTX/node_modules/dep$i.bin"; done
printf 'node_modules\n*.log\n' >"$CTX/.dockerignore"
printf 'FROM scratch\nCOPY . /app/\n' >"$CTX/Dockerfile"
berth_build=(); cli_build=(); classic_build=(); berth_rebuild=(); classic_rebuild=()
for run in $(seq "$RUNS"); do
  t=$(now); docker build -q --no-cache -t "berth-bench/build:cli$run" "$CTX" >/dev/null; cli_build+=("$(since "$t")")
  IMAGES+=("berth-bench/build:cli$run")
  berth_build+=("$("$BENCH" build "$CTX" "berth-bench/build:berth$run")")
  IMAGES+=("berth-bench/build:berth$run")
  classic_build+=("$("$BENCH" build "$CTX" "berth-bench/build:classic$run" classic)")
  IMAGES+=("berth-bench/build:classic$run")
  head -c 104857 /dev/urandom >"$CTX/src/file1.bin"
  berth_rebuild+=("$("$BENCH" build "$CTX" "berth-bench/build:berth$run" buildkit cache)")
  head -c 104857 /dev/urandom >"$CTX/src/file1.bin"
  classic_rebuild+=("$("$BENCH" build "$CTX" "berth-bench/build:classic$run" classic cache)")
  log "build run $run: docker ${cli_build[-1]} s, Berth ${berth_build[-1]} s (classic ${classic_build[-1]} s); rebuild: Berth ${berth_rebuild[-1]} s (classic ${classic_rebuild[-1]} s)"
done

bp=$(printf '%s\n' "${berth_push[@]}" | median); cp=$(printf '%s\n' "${cli_push[@]}" | median)
bb=$(printf '%s\n' "${berth_build[@]}" | median); cb=$(printf '%s\n' "${cli_build[@]}" | median)
kb=$(printf '%s\n' "${classic_build[@]}" | median)
br=$(printf '%s\n' "${berth_rebuild[@]}" | median); kr=$(printf '%s\n' "${classic_rebuild[@]}" | median)
load=$(cut -d' ' -f1-3 /proc/loadavg)
echo
echo "Berth image benchmark — $RUNS runs each, medians; $(nproc) cores, load average $load"
printf '  push  ~200 MB, 4 layers:        Berth %6.2f s   docker push  %6.2f s   ratio %.3f  (goal <= 1.05)\n' "$bp" "$cp" "$(awk -v a="$bp" -v b="$cp" 'BEGIN{print a/b}')"
printf '  build 20 MB kept, 1 GB ignored: Berth %6.2f s   docker build %6.2f s   ratio %.3f  (goal <= 1.10)\n' "$bb" "$cb" "$(awk -v a="$bb" -v b="$cb" 'BEGIN{print a/b}')"
printf '  same, Berth classic builder:    %6.2f s\n' "$kb"
printf '  rebuild, one 100 kB file new:   Berth BuildKit %6.2f s   Berth classic %6.2f s\n' "$br" "$kr"
