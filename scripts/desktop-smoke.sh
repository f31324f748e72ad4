#!/usr/bin/env bash
# Starts the desktop app under a virtual X server, waits for its server and window, checks the API
# through the printed address, takes a screenshot and checks the page was painted.
# Usage: scripts/desktop-smoke.sh BINARY [SCREENSHOT]
set -euo pipefail
bin=${1:?usage: desktop-smoke.sh BINARY [SCREENSHOT]}
shot=${2:-target/desktop-library.png}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$(dirname "$shot")"

xvfb-run -a -s "-screen 0 1280x800x24" bash -s "$bin" "$shot" "$work" <<'INNER'
set -euo pipefail
bin=$1; shot=$2; work=$3
export WEBKIT_DISABLE_COMPOSITING_MODE=1 HOME="$work/home" XDG_DATA_HOME="$work/data"
mkdir -p "$HOME"
"$bin" >"$work/app.log" 2>&1 &
pid=$!
cleanup() { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }
trap cleanup EXIT
url=""
for _ in $(seq 1 150); do
  url=$(sed -n 's/^MUSTER_HTTP=//p' "$work/app.log" | head -n1)
  [ -n "$url" ] && break
  kill -0 "$pid" 2>/dev/null || { cat "$work/app.log"; echo "the app exited early" >&2; exit 1; }
  sleep 0.2
done
[ -n "$url" ] || { cat "$work/app.log"; echo "no MUSTER_HTTP line within 30 s" >&2; exit 1; }
echo "app server at $url"
n=$(curl -fsS "${url}api/library" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["scenarios"]))')
[ "$n" -ge 4 ] || { echo "the library lists $n scenarios, expected 4" >&2; exit 1; }
[ -f "$XDG_DATA_HOME/muster/scenarios/leaked-secret.ron" ] || { echo "the user library was not seeded" >&2; exit 1; }
win=""
for _ in $(seq 1 100); do
  win=$(xdotool search --onlyvisible --name '^Muster$' 2>/dev/null | head -n1 || true)
  [ -n "$win" ] && break
  sleep 0.2
done
[ -n "$win" ] || { echo "no visible window named Muster" >&2; exit 1; }
# Wait until the page is painted and settled: two shots in a row identical (a loading spinner moves).
colours=0; prev="$work/prev.png"
for _ in $(seq 1 60); do
  sleep 0.5
  /usr/bin/import -window "$win" "$shot"
  colours=$(/usr/bin/convert "$shot" -format '%k' info:)
  if [ "$colours" -gt 50 ] && [ -f "$prev" ] && \
     [ "$(/usr/bin/compare -metric AE "$shot" "$prev" null: 2>&1 || true)" = 0 ]; then
    break
  fi
  cp "$shot" "$prev"
done
echo "screenshot $shot: $colours colours"
[ "$colours" -gt 50 ] || { echo "the window looks blank" >&2; exit 1; }
INNER
