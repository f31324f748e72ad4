#!/bin/sh
# Start `muster serve` for the end-to-end tests on a throwaway copy of the shipped scenarios and a
# throwaway drill log holding two simulated drills of leaked-secret (team mixed), so that imports,
# plan edits and exports never touch the repository or the user's files. Run from ui/ (Playwright's
# webServer does). MUSTER_BIN overrides the binary; MUSTER_E2E_PORT the port.
set -eu
bin="${MUSTER_BIN:-../target/debug/muster}"
port="${MUSTER_E2E_PORT:-4817}"
if [ ! -x "$bin" ]; then
  echo "serve.sh: no muster binary at $bin (build it, or set MUSTER_BIN)" >&2
  exit 1
fi
if [ ! -f dist/index.html ]; then
  echo "serve.sh: ui/dist is missing: run npm run build first" >&2
  exit 1
fi
tmp="$(mktemp -d "${TMPDIR:-/tmp}/muster-e2e.XXXXXX")"
pid=""
trap 'if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi; rm -rf "$tmp"' INT TERM EXIT
mkdir "$tmp/scenarios" "$tmp/home"
cp ../scenarios/*.ron "$tmp/scenarios"/
# A home of its own: "Save to Reports folder" writes under it, never into the real one.
HOME="$tmp/home"
XDG_DATA_HOME="$tmp/home/.local/share"
XDG_CONFIG_HOME="$tmp/home/.config"
export HOME XDG_DATA_HOME XDG_CONFIG_HOME
unset MUSTER_DB XDG_DOCUMENTS_DIR || true
db="$tmp/drills.db"
# Two drills of the same scenario and team: the newer one carries the older one's open plan items.
for seed in 5 6; do
  "$bin" simulate "$tmp/scenarios/leaked-secret.ron" --team mixed --seed "$seed" --db "$db" >"$tmp/simulate-$seed.log" 2>&1 || {
    cat "$tmp/simulate-$seed.log" >&2
    exit 1
  }
done
"$bin" serve --port "$port" --scenarios "$tmp/scenarios" --ui-dir dist --db "$db" &
pid=$!
wait "$pid"
