#!/usr/bin/env bash
# End-to-end tests: build the debug site and server, start Tally in demo mode
# on a fresh data directory, run Playwright in Debian's Chromium, stop Tally.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v /usr/bin/chromium >/dev/null || {
  echo "e2e: Debian's chromium is missing (apt-get install -y chromium)" >&2; exit 1; }
if [ ! -d end2end/node_modules/@playwright/test ]; then
  (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
fi

bash scripts/build-site.sh debug
target=${CARGO_TARGET_DIR:-target}

port=${TALLY_E2E_PORT:-3210}
data=$(mktemp -d)
log=$data/tally.log
TALLY_DATA_DIR=$data DATABASE_URL="sqlite://$data/tally.db" LEPTOS_SITE_ROOT=$target/site/debug \
  TALLY_ADDR=127.0.0.1:$port TALLY_DEMO=true TALLY_LOG=warn "$target/debug/tally" >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
  kill -0 $pid 2>/dev/null || { cat "$log"; echo "e2e: tally exited" >&2; exit 1; }
  sleep 0.2
done
export TALLY_E2E_URL=http://127.0.0.1:$port
export TALLY_E2E_EMAIL=$(awk '/^email:/ {print $2}' "$data/demo-login.txt")
export TALLY_E2E_PASSWORD=$(awk '/^password:/ {print $2}' "$data/demo-login.txt")
status=0
(cd end2end && npx playwright test "$@") || status=$?
if [ $status -ne 0 ]; then echo "--- tally log ---"; tail -50 "$log"; fi
exit $status
