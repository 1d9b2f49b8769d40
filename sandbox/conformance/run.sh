#!/usr/bin/env bash
# Conformance: runs the official Python hubspot-api-client (PyPI, unmodified) against
# tally-sandbox. Prints `N passed, N failed` last; exits non-zero on any failure.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
VENV="$TARGET/conformance-venv"
CLIENT_VERSION="12.0.0"
REDIRECT="http://localhost:8765/callback"

cd "$ROOT"
cargo build -p sandbox --bin tally-sandbox
BIN="$TARGET/debug/tally-sandbox"

if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet "hubspot-api-client==$CLIENT_VERSION"
fi

PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')"
BASE="http://127.0.0.1:$PORT"
LOG="$(mktemp)"
"$BIN" --seed 42 --addr "127.0.0.1:$PORT" --auto-approve --redirect-uri "$REDIRECT" >"$LOG" 2>&1 &
PID=$!
cleanup() { kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; rm -f "$LOG"; }
trap cleanup EXIT

for _ in $(seq 1 100); do
  if curl -fsS "$BASE/_sandbox/health" >/dev/null 2>&1; then break; fi
  sleep 0.1
done

"$VENV/bin/python" "$HERE/hubspot_client_test.py" "$BASE" "$REDIRECT"
