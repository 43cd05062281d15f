#!/usr/bin/env bash
# Stop what tests/stack/up.sh started and remove its state dir.
#
#   tests/stack/down.sh [--keep-logs] [STATE_DIR]   (default: $BERTH_STACK_DIR, else /tmp/berth-stack)
#
# Stops exactly the processes listed in STATE_DIR/pids that still carry this stack's token in
# their environment (so a recycled pid is never hit), then any other process carrying the token
# (WebKitWebDriver, an app started through tauri-driver, containerd of a dockerd we started...).
# A dockerd that up.sh found already running is never in the list and is never touched; only the
# AWS backend's task containers on it (label berth.moto.instance=stack-<token>) are removed.
set -euo pipefail

KEEP_LOGS=0
if [ "${1:-}" = --keep-logs ]; then KEEP_LOGS=1; shift; fi
STATE_DIR=${1:-${BERTH_STACK_DIR:-/tmp/berth-stack}}
log() { printf '[stack] %s\n' "$*"; }

if [ ! -d "$STATE_DIR" ]; then log "nothing to stop: $STATE_DIR does not exist"; exit 0; fi
STATE_DIR=$(cd "$STATE_DIR" && pwd)
MARKER=$STATE_DIR/.berth-stack
if [ ! -f "$MARKER" ]; then
  if [ -z "$(ls -A "$STATE_DIR")" ]; then rmdir "$STATE_DIR"; exit 0; fi
  log "ERROR: $STATE_DIR is not a Berth stack dir (no .berth-stack): not touching it"; exit 1
fi
TOKEN=$(cat "$MARKER")
[ -n "$TOKEN" ] || { log "ERROR: empty token in $MARKER"; exit 1; }
PIDS=$STATE_DIR/pids

proc_state() { sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1; }
alive() { local s; s=$(proc_state "$1"); [ -n "$s" ] && [ "$s" != Z ]; }
ours() { grep -qzxF "BERTH_STACK_TOKEN=$TOKEN" "/proc/$1/environ" 2>/dev/null; }
# all live processes carrying the token, except this script
token_pids() {
  local f p
  # shellcheck disable=SC2013  # /proc paths have no spaces
  for f in $(grep -lzxF "BERTH_STACK_TOKEN=$TOKEN" /proc/[0-9]*/environ 2>/dev/null); do
    p=${f#/proc/}; p=${p%/environ}
    [ "$p" = $$ ] && continue
    alive "$p" && echo "$p"
  done
  return 0
}
wait_gone() { # timeout_s pid...: wait until none is alive; return 1 on timeout
  local t=$1 end p left
  shift
  end=$((SECONDS + t))
  while :; do
    left=0
    for p in "$@"; do alive "$p" && left=1; done
    [ "$left" = 0 ] && return 0
    [ "$SECONDS" -ge "$end" ] && return 1
    sleep 0.05
  done
}

T0=$SECONDS
stopped=()
dockerd_pid=
if [ -f "$PIDS" ]; then
  # reverse start order: tauri-driver before Xvfb, registry before dockerd, ...
  while read -r name pid; do
    [ -n "$pid" ] || continue
    if ! alive "$pid" || ! ours "$pid"; then log "$name (pid $pid) already gone"; continue; fi
    if [ "$name" = dockerd ]; then
      dockerd_pid=$pid   # stopped last, alone: it stops its containers and containerd itself
      continue
    fi
    # each was started in its own session: pid = process group id; the group includes
    # children such as WebKitWebDriver under tauri-driver
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    stopped+=("$pid")
    log "stopping $name (pid $pid)"
  done < <(tac "$PIDS")
fi
if [ ${#stopped[@]} -gt 0 ] && ! wait_gone 10 "${stopped[@]}"; then
  for p in "${stopped[@]}"; do
    if alive "$p" && ours "$p"; then log "pid $p ignored SIGTERM: SIGKILL"; kill -KILL -- "-$p" 2>/dev/null || kill -KILL "$p" 2>/dev/null || true; fi
  done
  wait_gone 5 "${stopped[@]}" || true
fi
# Task containers of the strict AWS backend: it removes them itself on SIGTERM; sweep up any it
# could not (e.g. killed hard), on whichever engine it used.
if [ -f "$STATE_DIR/docker-host" ]; then
  left=$(DOCKER_HOST=$(cat "$STATE_DIR/docker-host") timeout 10 docker ps -aq --filter "label=berth.moto.instance=stack-$TOKEN" 2>/dev/null || true)
  if [ -n "$left" ]; then
    log "removing $(echo "$left" | wc -l) task container(s) the AWS backend left"
    # shellcheck disable=SC2086
    DOCKER_HOST=$(cat "$STATE_DIR/docker-host") timeout 30 docker rm -f $left >/dev/null 2>&1 || true
  fi
fi
# Image tags naming this stack's registry (the tests push through it): once the registry is gone
# they only pile up in the engine, hundreds a week. Untagged with --no-prune, so an image's
# untagged parents (the legacy builder's cache, which another stack's build may be using) stay.
if [ -f "$STATE_DIR/docker-host" ] && [ -f "$STATE_DIR/env" ]; then
  registry=$(sed -n "s/^export BERTH_TEST_REGISTRY='\(.*\)'$/\1/p" "$STATE_DIR/env")
  if [ -n "$registry" ]; then
    # A pushed image whose tag moved on is still held by its digest (repo@sha256:…).
    tags=$(DOCKER_HOST=$(cat "$STATE_DIR/docker-host") timeout 10 docker images --digests \
      --format '{{.Repository}} {{.Tag}} {{.Digest}}' 2>/dev/null | awk -v p="$registry/" '
        index($1, p) == 1 && $2 != "<none>" { print $1 ":" $2; next }
        index($1, p) == 1 && $3 != "<none>" { print $1 "@" $3 }' || true)
    if [ -n "$tags" ]; then
      log "untagging $(echo "$tags" | wc -l) image(s) of the stack's registry $registry"
      # shellcheck disable=SC2086
      DOCKER_HOST=$(cat "$STATE_DIR/docker-host") timeout 60 docker rmi --no-prune $tags >/dev/null 2>&1 || true
    fi
  fi
fi
if [ -n "$dockerd_pid" ]; then
  # Its containers would get SIGTERM and 10 s each at shutdown: they are test containers on a
  # dockerd of ours, so kill them at once.
  sock=$(cat "$STATE_DIR/docker-sock" 2>/dev/null || echo /var/run/docker.sock)
  running=$(DOCKER_HOST=unix://$sock timeout 10 docker ps -q 2>/dev/null || true)
  if [ -n "$running" ]; then
    log "killing $(echo "$running" | wc -l) container(s) on our dockerd"
    # shellcheck disable=SC2086
    DOCKER_HOST=unix://$sock timeout 20 docker kill $running >/dev/null 2>&1 || true
  fi
  log "stopping dockerd (pid $dockerd_pid, started by up.sh)"
  kill -TERM "$dockerd_pid" 2>/dev/null || true
  if ! wait_gone 40 "$dockerd_pid"; then
    log "dockerd did not stop in 40s: SIGKILL"
    kill -KILL "$dockerd_pid" 2>/dev/null || true
    wait_gone 5 "$dockerd_pid" || true
  fi
fi

# stragglers: anything else that still carries the token
mapfile -t rest < <(token_pids)
if [ ${#rest[@]} -gt 0 ]; then
  for p in "${rest[@]}"; do log "stopping straggler pid $p ($(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | cut -c1-80))"; kill -TERM "$p" 2>/dev/null || true; done
  if ! wait_gone 5 "${rest[@]}"; then
    for p in "${rest[@]}"; do alive "$p" && ours "$p" && kill -KILL "$p" 2>/dev/null; done
    wait_gone 5 "${rest[@]}" || true
  fi
fi
mapfile -t rest < <(token_pids)
[ ${#rest[@]} -eq 0 ] || log "WARNING: still alive: ${rest[*]}"

# an Xvfb that had to be SIGKILLed leaves its lock and socket behind
if [ -s "$STATE_DIR/xvfb.display" ]; then
  n=$(head -n1 "$STATE_DIR/xvfb.display")
  if [ -f "/tmp/.X$n-lock" ]; then
    lp=$(tr -d ' ' <"/tmp/.X$n-lock" 2>/dev/null || true)
    if [ -n "$lp" ] && ! alive "$lp"; then rm -f "/tmp/.X$n-lock" "/tmp/.X11-unix/X$n"; fi
  fi
fi

if [ "$KEEP_LOGS" = 1 ]; then
  rm -f "$PIDS" "$STATE_DIR/env" "$STATE_DIR/bus"
  log "stopped in $((SECONDS - T0))s; logs kept in $STATE_DIR"
else
  rm -rf "$STATE_DIR"
  log "stopped in $((SECONDS - T0))s; removed $STATE_DIR"
fi
