#!/usr/bin/env bash
# `make test`: everything CI checks, in the order that fails fastest.
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

bash scripts/bootstrap.sh

step "formatting"
cargo fmt --all --check

step "clippy (server side: ssr)"
cargo clippy --workspace --exclude frontend --all-targets -- -D warnings

step "clippy (browser side: hydrate, wasm32)"
cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings

# PostgreSQL: TEST_POSTGRES_URL, or the local Debian cluster if it answers.
backends="sqlite"
if [ -z "${TEST_POSTGRES_URL:-}" ]; then
  local_url="postgres://postgres:postgres@127.0.0.1:5432/postgres"
  if command -v psql >/dev/null && psql "$local_url" -qAtc 'select 1' >/dev/null 2>&1; then
    export TEST_POSTGRES_URL=$local_url
  fi
fi
if [ -n "${TEST_POSTGRES_URL:-}" ]; then
  export TALLY_REQUIRE_POSTGRES=1
  backends="sqlite, postgres"
fi

step "unit and integration tests (backends: $backends)"
cargo test --workspace --exclude frontend

if [ -x sandbox/conformance/run.sh ]; then
  step "sandbox conformance (official HubSpot client)"
  bash sandbox/conformance/run.sh
fi

step "end-to-end (Playwright, Debian Chromium)"
bash scripts/e2e.sh

step "done"
echo "database backends tested: $backends"
if [ "$backends" = "sqlite" ]; then
  echo "PostgreSQL was NOT tested: set TEST_POSTGRES_URL or start the local cluster (pg_ctlcluster 15 main start)"
fi
