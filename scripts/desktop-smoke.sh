#!/usr/bin/env bash
# Starts the desktop app under a virtual X server, waits for its server and window, checks the API
# through the printed address, takes a screenshot and checks the page was painted. Then creates a live
# drill on the app's server, restarts the app on that drill's control room (the drill comes back from the
# log) and takes a second screenshot.
# Last, it saves a simulated drill's report through the app's native save dialog (typed into with xdotool)
# and checks the file. Needs the `muster` binary beside BINARY (for the simulated drill).
# Usage: scripts/desktop-smoke.sh BINARY [SCREENSHOT] [CONTROL-ROOM-SCREENSHOT]
set -euo pipefail
bin=${1:?usage: desktop-smoke.sh BINARY [SCREENSHOT] [CONTROL-ROOM-SCREENSHOT]}
shot=${2:-target/desktop-library.png}
room=${3:-target/desktop-control-room.png}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$(dirname "$shot")" "$(dirname "$room")"

xvfb-run -a -s "-screen 0 1280x800x24" bash -s "$bin" "$shot" "$room" "$work" <<'INNER'
set -euo pipefail
bin=$1; shot=$2; room=$3; work=$4
export WEBKIT_DISABLE_COMPOSITING_MODE=1 HOME="$work/home" XDG_DATA_HOME="$work/data"
mkdir -p "$HOME"
pid=""
cleanup() { if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi; }
trap cleanup EXIT

# start LOG: runs the app, waits for its address (in $url) and its window (in $win).
start() {
  "$bin" >"$1" 2>&1 &
  pid=$!
  url=""
  for _ in $(seq 1 150); do
    url=$(sed -n 's/^MUSTER_HTTP=//p' "$1" | head -n1)
    [ -n "$url" ] && break
    kill -0 "$pid" 2>/dev/null || { cat "$1"; echo "the app exited early" >&2; exit 1; }
    sleep 0.2
  done
  [ -n "$url" ] || { cat "$1"; echo "no MUSTER_HTTP line within 30 s" >&2; exit 1; }
  echo "app server at $url"
  win=""
  for _ in $(seq 1 100); do
    win=$(xdotool search --onlyvisible --name '^Muster$' 2>/dev/null | head -n1 || true)
    [ -n "$win" ] && break
    sleep 0.2
  done
  [ -n "$win" ] || { echo "no visible window named Muster" >&2; exit 1; }
}

# snap FILE: waits until the page is painted and settled (two shots in a row identical; a spinner moves).
snap() {
  local colours=0 prev="$work/prev.png"
  rm -f "$prev"
  for _ in $(seq 1 60); do
    sleep 0.5
    /usr/bin/import -window "$win" "$1"
    colours=$(/usr/bin/convert "$1" -format '%k' info:)
    if [ "$colours" -gt 50 ] && [ -f "$prev" ] && \
       [ "$(/usr/bin/compare -metric AE "$1" "$prev" null: 2>&1 || true)" = 0 ]; then
      break
    fi
    cp "$1" "$prev"
  done
  echo "screenshot $1: $colours colours"
  [ "$colours" -gt 50 ] || { echo "the window looks blank" >&2; exit 1; }
}

start "$work/app.log"
n=$(curl -fsS "${url}api/library" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["scenarios"]))')
[ "$n" -ge 4 ] || { echo "the library lists $n scenarios, expected 4" >&2; exit 1; }
[ -f "$XDG_DATA_HOME/muster/scenarios/leaked-secret.ron" ] || { echo "the user library was not seeded" >&2; exit 1; }
snap "$shot"

# A live drill, created as the setup screen does; the app is quit and started again on its control room.
curl -fsS -H 'Content-Type: application/json' -H "Origin: ${url%/}" \
  -d '{"scenario": "leaked-secret", "team": "Blue", "speed": 60000}' "${url}api/live" >"$work/created.json"
read -r drill key < <(python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); print(c["drill"], c["facilitator_token"])' "$work/created.json")
cleanup
pid=""
MUSTER_OPEN="#/live/$drill?key=$key" start "$work/app2.log"
grep -q "live drill .* was not resumed" "$work/app2.log" && { cat "$work/app2.log"; exit 1; }
snap "$room"

# The report of a simulated drill, saved with the system's save dialog.
cleanup
pid=""
cli="$(dirname "$bin")/muster"
"$cli" simulate "$XDG_DATA_HOME/muster/scenarios/leaked-secret.ron" --seed 3 \
  --db "$XDG_DATA_HOME/muster/muster.db" >"$work/sim.log" 2>&1 || { cat "$work/sim.log"; exit 1; }
sim=$("$cli" drills --db "$XDG_DATA_HOME/muster/muster.db" --format json |
  python3 -c 'import json,sys; print([d["id"] for d in map(json.loads, sys.stdin) if d["team"] == "mixed"][0])')
MUSTER_OPEN="#/drills/$sim" start "$work/app3.log"
snap "$work/report.png"
# "Save as… HTML" is the first button of the bar under the report's header. The dialog comes up in its own
# time (a busy machine, no window manager to report it): the name is typed, and if no file follows, typed
# again after a pause; Return on the still-focused button opens the dialog if it was not up yet.
xdotool mousemove --window "$win" 166 289 click 1
saved="$HOME/saved-report.html"
for attempt in 1 2 3 4 5; do
  sleep $((attempt + 1))
  xdotool key ctrl+a
  xdotool type "$saved"
  xdotool key Return
  for _ in $(seq 1 25); do [ -s "$saved" ] && break 2; sleep 0.2; done
done
grep -q "After-action report" "$saved" 2>/dev/null || {
  /usr/bin/import -window root target/desktop-save-failure.png 2>/dev/null; grep -v dconf "$work/app3.log"
  echo "the report was not saved through the save dialog" >&2; exit 1; }
echo "report saved through the native dialog: $(wc -c <"$saved") bytes"
INNER
