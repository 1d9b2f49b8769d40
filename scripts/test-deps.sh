#!/usr/bin/env bash
# What `make test` needs beyond the Rust toolchain, set up if missing:
#   - Debian's chromium (the end-to-end tests), curl, and docker-compose
#     (validates docker-compose.yml; no Docker engine needed);
#   - PostgreSQL: TEST_POSTGRES_URL, or the local Debian cluster, installed
#     and started when it is not running (as root; otherwise the exact
#     command to run is printed).
# TALLY_TEST_BACKENDS=sqlite opts out of PostgreSQL explicitly.
# Prints `export …` lines for the caller to eval; messages go to stderr.
set -euo pipefail
# Only the `export …` lines reach stdout (fd 3); anything a tool prints
# (pg_ctlcluster's "Removed stale pid file", apt-get) goes to stderr.
exec 3>&1 1>&2
emit() { printf '%s\n' "$*" >&3; }

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
fail() { printf 'make test: %s\n' "$*" >&2; exit 1; }
as_root() { [ "$(id -u)" -eq 0 ]; }

backends=${TALLY_TEST_BACKENDS:-sqlite,postgres}
case "$backends" in
  sqlite | sqlite,postgres | postgres,sqlite) ;;
  *) fail "TALLY_TEST_BACKENDS must be 'sqlite' or 'sqlite,postgres' (got '$backends')" ;;
esac
want_pg=false
[[ "$backends" == *postgres* ]] && want_pg=true

need=()
command -v chromium >/dev/null || need+=(chromium)
command -v curl >/dev/null || need+=(curl)
command -v docker-compose >/dev/null || need+=(docker-compose)
if $want_pg && [ -z "${TEST_POSTGRES_URL:-}" ] && ! command -v pg_ctlcluster >/dev/null; then
  need+=(postgresql)
elif $want_pg && ! command -v psql >/dev/null; then
  need+=(postgresql-client)
fi
if [ ${#need[@]} -gt 0 ]; then
  if as_root; then
    say "installing ${need[*]} (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq "${need[@]}" >/dev/null
  else
    fail "missing ${need[*]}: run  sudo apt-get install -y ${need[*]}  and try again"
  fi
fi

if ! $want_pg; then
  emit "unset TEST_POSTGRES_URL TALLY_REQUIRE_POSTGRES"
  emit "export TALLY_TEST_BACKENDS=sqlite"
  exit 0
fi

if [ -z "${TEST_POSTGRES_URL:-}" ]; then
  url=postgres://postgres:postgres@127.0.0.1:5432/postgres
  if ! psql "$url" -qAtc 'select 1' >/dev/null 2>&1; then
    read -r version cluster < <(pg_lsclusters -h | awk 'NR == 1 {print $1, $2}') ||
      fail "no PostgreSQL cluster found: run  sudo pg_createcluster 15 main --start"
    if ! pg_lsclusters -h | awk -v v="$version" -v c="$cluster" '$1 == v && $2 == c {print $4}' | grep -q online; then
      if as_root; then
        say "starting PostgreSQL $version/$cluster"
        pg_ctlcluster "$version" "$cluster" start 3>&-
      else
        fail "PostgreSQL $version/$cluster is stopped: run  sudo pg_ctlcluster $version $cluster start  (or set TALLY_TEST_BACKENDS=sqlite)"
      fi
    fi
    for _ in $(seq 1 50); do pg_isready -q -h 127.0.0.1 && break; sleep 0.2; done
    if ! psql "$url" -qAtc 'select 1' >/dev/null 2>&1; then
      if as_root; then
        # The tests sign in as postgres/postgres over TCP.
        su postgres -c "psql -qc \"ALTER USER postgres PASSWORD 'postgres'\"" >/dev/null
      else
        fail "cannot sign in to PostgreSQL as postgres/postgres: run  sudo -u postgres psql -c \"ALTER USER postgres PASSWORD 'postgres'\"  (or set TEST_POSTGRES_URL)"
      fi
    fi
  fi
  psql "$url" -qAtc 'select 1' >/dev/null 2>&1 ||
    fail "PostgreSQL is not reachable at $url: set TEST_POSTGRES_URL, or TALLY_TEST_BACKENDS=sqlite to test SQLite only"
  emit "export TEST_POSTGRES_URL=$url"
else
  psql "$TEST_POSTGRES_URL" -qAtc 'select 1' >/dev/null 2>&1 ||
    fail "TEST_POSTGRES_URL does not answer: check the server, or set TALLY_TEST_BACKENDS=sqlite"
fi
emit "export TALLY_REQUIRE_POSTGRES=1"
emit "export TALLY_TEST_BACKENDS=sqlite,postgres"
