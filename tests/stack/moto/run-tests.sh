#!/usr/bin/env bash
# Run the strict backend's own tests (pytest, in the moto venv) against a backend they start.
#
#   tests/stack/moto/run-tests.sh [pytest args...]        all tests (about 4 minutes; `-n 4`:
#                                       in four processes, each with a backend of its own)
#   tests/stack/moto/run-tests.sh --without-each-rule [rule-id...]
#                                       each rule's tests with that rule off: they must fail
#
# Needs scripts/install-deps.sh (moto venv with pytest and docker) and a Docker engine. Uses the
# stack's registry when BERTH_TEST_REGISTRY* are set (source the stack's env), else starts one.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PY=${BERTH_MOTO_PYTHON:-${BERTH_CACHE:-/var/cache/berth}/moto-venv/bin/python}
[ -x "$PY" ] || { echo "[moto-tests] $PY not found: run scripts/install-deps.sh" >&2; exit 1; }
"$PY" -c 'import pytest, xdist, docker' 2>/dev/null || { echo "[moto-tests] pytest/pytest-xdist/docker missing in the venv: run scripts/install-deps.sh" >&2; exit 1; }
export no_proxy="127.0.0.1,localhost${no_proxy:+,$no_proxy}" NO_PROXY="127.0.0.1,localhost${NO_PROXY:+,$NO_PROXY}"
cd "$HERE"
if [ "${1:-}" = --without-each-rule ]; then
  shift
  exec "$PY" tests/without_each_rule.py "$@"
fi
exec "$PY" -m pytest -p no:cacheprovider "$@"
