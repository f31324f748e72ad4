#!/usr/bin/env bash
# Installs what Muster needs on Debian/Ubuntu (as root, or with sudo): the Tauri/WebKitGTK build set,
# and for tests Xvfb, ImageMagick, xdotool and Chromium. Checks Rust and Node. Safe to run again.
# Usage: scripts/deps.sh [app|test]
set -euo pipefail
purpose=${1:-app}

pkgs=(libwebkit2gtk-4.1-dev build-essential pkg-config curl file libxdo-dev libssl-dev
      libayatana-appindicator3-dev librsvg2-dev)
if [ "$purpose" = test ]; then
  pkgs+=(xvfb xauth imagemagick xdotool chromium)
fi

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ! command -v node >/dev/null 2>&1; then missing+=(nodejs npm); fi

if [ ${#missing[@]} -gt 0 ]; then
  echo "==> installing: ${missing[*]}"
  if [ "$(id -u)" -eq 0 ]; then sudo=(); else sudo=(sudo); fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v cargo >/dev/null 2>&1; then
  echo "error: Rust is not installed. Install it with rustup (https://rustup.rs), then run this again." >&2
  exit 2
fi
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  echo "error: Node.js $(node --version) is too old; Muster's UI build needs Node 20 or later." >&2
  exit 2
fi
