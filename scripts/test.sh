#!/usr/bin/env bash
# `make test`: everything CI checks, in the order that fails fastest.
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

bash scripts/bootstrap.sh
# Chromium, curl and PostgreSQL (installed and started when missing), or a
# clear message saying what to run; TALLY_TEST_BACKENDS=sqlite opts out.
deps=$(bash scripts/test-deps.sh)
eval "$deps"
backends=${TALLY_TEST_BACKENDS/,/, }

step "formatting"
cargo fmt --all --check

step "clippy (server side: ssr)"
cargo clippy --workspace --exclude frontend --all-targets -- -D warnings

step "clippy (production server: no demo sandbox)"
cargo clippy -p server --no-default-features --all-targets -- -D warnings
if cargo tree -p server -e normal --no-default-features | grep -q '^.*sandbox v'; then
  echo "the production server depends on the sandbox:" >&2
  cargo tree -p server -e normal --no-default-features -i sandbox >&2
  exit 1
fi

step "clippy (browser side: hydrate, wasm32)"
cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings

step "unit and integration tests (backends: $backends)"
cargo test --workspace --exclude frontend
# The production build's own unit tests (no demo sandbox, TALLY_DEMO refused).
cargo test -p server --no-default-features --lib

if [ -x sandbox/conformance/run.sh ]; then
  step "sandbox conformance (official HubSpot client)"
  bash sandbox/conformance/run.sh
fi

step "deployment files (docker-compose.yml)"
bash scripts/check-compose.sh

step "end-to-end (Playwright, Debian Chromium)"
bash scripts/e2e.sh

step "done"
echo "database backends tested: $backends"
if [ "$backends" = "sqlite" ]; then
  echo "PostgreSQL was NOT tested (TALLY_TEST_BACKENDS=sqlite)"
fi
