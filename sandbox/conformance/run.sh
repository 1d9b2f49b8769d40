#!/usr/bin/env bash
# Conformance: runs the official Python hubspot-api-client (PyPI, unmodified) against
# tally-sandbox. Prints `N passed, N failed` last; exits non-zero on any failure.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
VENV="$TARGET/conformance-venv"
CLIENT_VERSION="12.0.0"
FATHOM_VERSION="0.0.43"
REDIRECT="http://localhost:8765/callback"

cd "$ROOT"
cargo build -p sandbox --bin tally-sandbox
BIN="$TARGET/debug/tally-sandbox"

if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet "hubspot-api-client==$CLIENT_VERSION" "fathom-python==$FATHOM_VERSION"
fi
# An existing venv from an older runner may lack the Fathom SDK.
"$VENV/bin/python" -c "import fathom_python" 2>/dev/null \
  || "$VENV/bin/pip" install --quiet "fathom-python==$FATHOM_VERSION"

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

total_pass=0
total_fail=0
for script in hubspot_client_test.py fathom_client_test.py; do
  out="$("$VENV/bin/python" "$HERE/$script" "$BASE" "$REDIRECT" 2>&1)" || true
  printf '%s\n' "$out" | sed '$d'
  last="$(printf '%s\n' "$out" | tail -n 1)"
  if [[ "$last" =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
    total_pass=$((total_pass + BASH_REMATCH[1]))
    total_fail=$((total_fail + BASH_REMATCH[2]))
  else
    printf '%s\n' "$last"
    total_fail=$((total_fail + 1))
  fi
done
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
