#!/usr/bin/env bash
# Dependency audit: the Rust crates in Cargo.lock (cargo-audit, RustSec advisory database) and
# the UI's npm packages (npm audit, the npm registry's advisory service).
#
# Fails on a known vulnerability. When an advisory source cannot be reached (some machines reach
# the package registries only), it says so plainly and does not fail: an audit that was not done
# is reported as not done, never as clean.
#
#   scripts/audit.sh [rust|npm]...   both when no argument is given
#
#   BERTH_ADVISORY_DB    the RustSec database checkout to use (default: cargo-audit's own,
#                        ~/.cargo/advisory-db)
#   BERTH_ADVISORY_URL   where to fetch it from (default: cargo-audit's, the RustSec GitHub repo)
#   BERTH_ADVISORY_NO_FETCH=1  use BERTH_ADVISORY_DB as it is, without fetching
#   BERTH_NPM_AUDIT_REGISTRY   the registry npm audit asks (default: npm's configured registry)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:${BERTH_CACHE:-/var/cache/berth}/tools/bin:$PATH"

UNREACHABLE_RUST="advisory database unreachable: dependency audit not done (Rust crates)"
UNREACHABLE_NPM="advisory database unreachable: dependency audit not done (npm packages of ui/)"

say() { printf '[audit] %s\n' "$*"; }

# has_report FILE KEY: FILE holds one JSON object with KEY (an empty file is no report).
has_report() {
  [ -s "$1" ] && jq -e --arg key "$2" 'type == "object" and has($key)' "$1" >/dev/null 2>&1
}

audit_rust() {
  command -v cargo-audit >/dev/null 2>&1 ||
    { say "cargo-audit is not installed: run scripts/install-deps.sh"; return 1; }
  local args=(audit --json) out err rc=0
  [ -n "${BERTH_ADVISORY_DB:-}" ] && args+=(--db "$BERTH_ADVISORY_DB")
  [ -n "${BERTH_ADVISORY_URL:-}" ] && args+=(--url "$BERTH_ADVISORY_URL")
  [ "${BERTH_ADVISORY_NO_FETCH:-0}" = 1 ] && args+=(--no-fetch)
  out=$(mktemp) err=$(mktemp)
  cargo "${args[@]}" >"$out" 2>"$err" || rc=$?

  # A report on stdout means the database was read and the lock file checked.
  if has_report "$out" vulnerabilities; then
    local count deps
    count=$(jq '.vulnerabilities.count' "$out")
    deps=$(jq '.lockfile["dependency-count"]' "$out")
    jq -r '.warnings // {} | to_entries[] | .value[] |
      "[audit] warning (\(.kind)): \(.package.name) \(.package.version) \(.advisory.id // "") \(.advisory.title // "")"' "$out"
    if [ "$count" -gt 0 ]; then
      jq -r '.vulnerabilities.list[] |
        "[audit] VULNERABLE: \(.package.name) \(.package.version): \(.advisory.id) \(.advisory.title) (fixed in: \(.versions.patched | join(", ") | if . == "" then "no fixed release" else . end))"' "$out"
      say "Rust crates: $count known vulnerabilit$([ "$count" = 1 ] && echo y || echo ies) in $deps dependencies"
      rm -f "$out" "$err"
      return 1
    fi
    say "Rust crates: no known vulnerability in $deps dependencies (advisory database $(jq -r '.database["last-commit"] // "?" | .[0:12]' "$out"), $(jq -r '.database["last-updated"] // "date unknown"' "$out"))"
    rm -f "$out" "$err"
    return 0
  fi

  # No report: either the database could not be fetched (say so, do not fail) or something
  # else broke (a lock file cargo-audit cannot read...): fail and show it.
  if grep -qiE "fetch|clone|connect|resolve host|network|timed out|unreachable" "$err"; then
    sed 's/^/[audit]   /' "$err" | head -n 5
    say "$UNREACHABLE_RUST"
    rm -f "$out" "$err"
    return 0
  fi
  say "cargo audit failed (exit $rc):"
  sed 's/^/[audit]   /' "$err"
  rm -f "$out" "$err"
  return 1
}

audit_npm() {
  local out rc=0
  out=$(mktemp)
  local args=(audit --json)
  [ -n "${BERTH_NPM_AUDIT_REGISTRY:-}" ] && args+=(--registry "$BERTH_NPM_AUDIT_REGISTRY")
  (cd ui && npm "${args[@]}") >"$out" 2>/dev/null || rc=$?
  if has_report "$out" metadata; then
    local total deps
    total=$(jq '.metadata.vulnerabilities.total' "$out")
    deps=$(jq '.metadata.dependencies.total' "$out")
    if [ "$total" -gt 0 ]; then
      jq -r '.vulnerabilities | to_entries[] |
        "[audit] VULNERABLE: \(.key) (\(.value.severity)) \(.value.range): \([.value.via[] | objects | .title] | unique | join("; "))"' "$out"
      say "npm packages of ui/: $total known vulnerabilit$([ "$total" = 1 ] && echo y || echo ies) in $deps packages"
      rm -f "$out"
      return 1
    fi
    say "npm packages of ui/: no known vulnerability in $deps packages"
    rm -f "$out"
    return 0
  fi
  # npm answers `{"message": "405 Method Not Allowed ...", "statusCode": 405, ...}` (or a network
  # error code) when the registry's audit endpoint does not serve it.
  if has_report "$out" statusCode || has_report "$out" error || has_report "$out" code; then
    say "  $(jq -r '.message // .error.summary // .code' "$out" | head -n 1)"
    say "$UNREACHABLE_NPM"
    rm -f "$out"
    return 0
  fi
  say "npm audit failed (exit $rc):"
  sed 's/^/[audit]   /' "$out"
  rm -f "$out"
  return 1
}

parts=("$@")
[ ${#parts[@]} -eq 0 ] && parts=(rust npm)
failed=0
for part in "${parts[@]}"; do
  case $part in
    rust) audit_rust || failed=1 ;;
    npm) audit_npm || failed=1 ;;
    *) say "unknown part '$part' (rust or npm)"; exit 2 ;;
  esac
done
exit "$failed"
