#!/bin/sh
# Start `muster serve` for the end-to-end tests on a throwaway copy of the shipped scenarios,
# so that imports never touch the repository. Run from ui/ (Playwright's webServer does).
set -eu
bin="${MUSTER_BIN:-../target/debug/muster}"
port="${MUSTER_E2E_PORT:-4817}"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/muster-e2e.XXXXXX")"
cp ../scenarios/*.ron "$tmp"/
exec "$bin" serve --port "$port" --scenarios "$tmp" --ui-dir dist
