#!/usr/bin/env bash
# `make run`: install what is missing, build the release site and server,
# (with the demo sandbox inside), then serve the demo organisation from data/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
bash scripts/build-site.sh release demo

export TALLY_ADDR=${TALLY_ADDR:-127.0.0.1:3000}
export TALLY_DATA_DIR=${TALLY_DATA_DIR:-data}
export DATABASE_URL=${DATABASE_URL:-sqlite://$TALLY_DATA_DIR/tally.db}
target=${CARGO_TARGET_DIR:-target}
export TALLY_DEMO=${TALLY_DEMO:-true}
url=${TALLY_PUBLIC_URL:-http://$TALLY_ADDR}

"$target/release/tally" &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid' INT TERM
for _ in $(seq 1 150); do
  curl -fs "$url/readyz" >/dev/null 2>&1 && break
  kill -0 $pid 2>/dev/null || { echo "tally stopped; see the messages above" >&2; exit 1; }
  sleep 0.2
done
echo
echo "  Tally is running at $url"
if [ -f "$TALLY_DATA_DIR/demo-login.txt" ]; then
  echo "  Sign in with the demo admin:"
  sed 's/^/    /' "$TALLY_DATA_DIR/demo-login.txt"
fi
echo "  Stop with Ctrl-C."
echo
wait $pid
