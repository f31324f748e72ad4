#!/bin/sh
# Start `muster serve` for the end-to-end tests on a throwaway copy of the shipped scenarios,
# so that imports never touch the repository. Run from ui/ (Playwright's webServer does).
# MUSTER_BIN overrides the binary; MUSTER_E2E_PORT the port.
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
cp ../scenarios/*.ron "$tmp"/
"$bin" serve --port "$port" --scenarios "$tmp" --ui-dir dist &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$tmp"' INT TERM EXIT
wait "$pid"
