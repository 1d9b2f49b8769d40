#!/usr/bin/env bash
# End-to-end tests: build the release site and server (with the demo
# sandbox), copy the tally binary alone into an empty folder, start it there
# in demo mode on a fresh data directory (no LEPTOS_SITE_ROOT: the site comes
# from inside the binary), run Playwright in Debian's Chromium, stop Tally.
# TALLY_E2E_PROFILE=debug tests the debug build served from target/site/debug
# instead (quicker to rebuild while working on a test).
set -euo pipefail
cd "$(dirname "$0")/.."

command -v /usr/bin/chromium >/dev/null || {
  echo "e2e: Debian's chromium is missing (apt-get install -y chromium)" >&2; exit 1; }
if [ ! -d end2end/node_modules/@playwright/test ]; then
  (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
fi

profile=${TALLY_E2E_PROFILE:-release}
bash scripts/build-site.sh "$profile" demo
target=$(cd "${CARGO_TARGET_DIR:-target}" && pwd)

port=${TALLY_E2E_PORT:-3210}
data=$(mktemp -d)
log=$data/tally.log
run=$(mktemp -d)
site_env=()
if [ "$profile" = release ]; then
  cp "$target/release/tally" "$run/tally"
else
  ln -s "$target/debug/tally" "$run/tally"
  site_env=(LEPTOS_SITE_ROOT="$target/site/debug")
fi
(cd "$run" && exec env "${site_env[@]}" TALLY_DATA_DIR="$data" DATABASE_URL="sqlite://$data/tally.db" \
  TALLY_ADDR=127.0.0.1:$port TALLY_DEMO=true TALLY_LOG=warn ./tally >"$log" 2>&1) &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$data" "$run"' EXIT
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
