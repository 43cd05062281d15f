#!/usr/bin/env bash
# Installs what Berth's practice mode needs, on Debian 12 / Ubuntu 22.04 or later: the registry
# that stands in for ECR (apt docker-registry), htpasswd for its password (apt apache2-utils),
# Python's venv module (apt python3-venv), and a virtual environment with the pinned moto and
# Docker SDK (requirements.txt beside this file) that the practice backend runs in. Idempotent:
# what is there already is kept. The Docker engine itself is not installed here (Berth's first
# page says how).
#
#   bash install.sh [--venv-only] [--venv DIR] [--with REQUIREMENT]...
#     --venv-only   no apt packages
#     --venv DIR    where the environment goes (default: $BERTH_CACHE/moto-venv,
#                   BERTH_CACHE defaulting to /var/cache/berth: where Berth looks for it)
#     --with REQ    one more requirement in the environment (the tests add pytest)
#
# Runs as root, or as a user with sudo (asked for a password only at a terminal).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
VENV_ONLY=0
VENV=${BERTH_CACHE:-/var/cache/berth}/moto-venv
EXTRAS=()
while [ $# -gt 0 ]; do
  case $1 in
    --venv-only) VENV_ONLY=1 ;;
    --venv) VENV=$2; shift ;;
    --with) EXTRAS+=("$2"); shift ;;
    -h|--help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "[practice] unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
log() { printf '[practice] %s\n' "$*" >&2; }
if [ "$(id -u)" -eq 0 ]; then SUDO=()
elif [ -t 0 ] && [ "${CI:-}" != true ]; then SUDO=(sudo)
else SUDO=(sudo -n); fi

if [ "$VENV_ONLY" = 0 ]; then
  missing=()
  for p in docker-registry apache2-utils python3 python3-venv; do
    [ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)" = installed ] || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]} with apt"
    "${SUDO[@]}" apt-get update -qq
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi

mapfile -t REQS < <(grep -vE '^\s*(#|$)' "$HERE/requirements.txt")
REQS+=("${EXTRAS[@]}")
# Every requirement at its pinned version (and the venv whole): nothing to do.
up_to_date() {
  "$VENV/bin/python" - "${REQS[@]}" 2>/dev/null <<'PY'
import importlib.metadata as m, re, sys
for req in sys.argv[1:]:
    name, version = re.match(r"([A-Za-z0-9_.-]+)(?:\[[^]]*\])?==(.+)", req).groups()
    if m.version(name) != version:
        sys.exit(1)
import moto, docker, flask  # noqa: F401,E401
PY
}
if [ -x "$VENV/bin/python" ] && up_to_date; then
  log "the practice environment in $VENV is up to date"
  exit 0
fi
parent=$(dirname "$VENV")
if ! mkdir -p "$parent" 2>/dev/null || [ ! -w "$parent" ]; then
  "${SUDO[@]}" mkdir -p "$parent"
  "${SUDO[@]}" chown "$(id -u):$(id -g)" "$parent"
fi
if [ ! -x "$VENV/bin/pip" ]; then
  # The distribution's python, not a pyenv shim: the venv then survives changes to the user's pythons.
  py=/usr/bin/python3; [ -x "$py" ] || py=$(command -v python3)
  rm -rf "$VENV"
  "$py" -m venv "$VENV"
fi
log "installing ${REQS[*]} into $VENV"
"$VENV/bin/pip" install -q --disable-pip-version-check "${REQS[@]}"
up_to_date || { log "ERROR: $VENV still does not match requirements.txt"; exit 1; }
log "practice environment ready in $VENV"
