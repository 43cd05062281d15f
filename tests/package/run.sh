#!/usr/bin/env bash
# Installs the built .deb the way a user would (apt-get resolves its Depends) and tests the
# installed app: what the package declares, its desktop entry and icons, and the installed binary
# on its first screen under the stack's Xvfb through tauri-driver.
#
#   bash tests/package/run.sh [path/to/berth_*.deb]     (with the test stack's env sourced)
#
# Without an argument it takes the newest .deb that scripts/package.sh built. Needs root or sudo:
# it installs the package system-wide, and leaves it installed.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/common.sh

deb=${1:-$(ls -t "$BERTH_DEB_DIR"/*.deb 2>/dev/null | head -1 || true)}
[ -f "$deb" ] || { echo "no .deb found (run scripts/package.sh first): ${deb:-$BERTH_DEB_DIR}" >&2; exit 1; }
deb=$(realpath "$deb")
SUDO=(); [ "$(id -u)" -eq 0 ] || SUDO=(sudo -n)

echo "installing $deb"
# apt-get reads a local file only from a path with a slash; _apt cannot read files under /root, so
# a copy in /tmp avoids its "unsandboxed download" warning.
copy=$(mktemp -d /tmp/berth-deb.XXXXXX)
trap 'rm -rf "$copy"' EXIT
cp "$deb" "$copy/" && chmod 755 "$copy" && chmod 644 "$copy"/*.deb
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --reinstall "$copy/$(basename "$deb")" >/dev/null

package=$(dpkg-deb --field "$deb" Package)
binary=$(dpkg --listfiles "$package" | grep -m1 '^/usr/bin/')
echo "installed $package $(dpkg-deb --field "$deb" Version): $binary"
BERTH_DEB=$deb BERTH_APP_BIN=$binary node --test --test-concurrency=1 tests/package/
