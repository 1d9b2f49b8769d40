#!/usr/bin/env bash
# `make bench`: measures the figures of issue 7 on this machine, prints a table
# and writes bench/results/latest.{json,md}. See bench/README.md.
#
#   BENCH_SIZE=full (default)  the sizes the issue names; 11–14 minutes
#   BENCH_SIZE=tiny            seconds-long validation; results go to
#                              bench/results/dev/ (git-ignored)
#   BENCH_ONLY="sizes ssr"     run only these steps (sizes ssr peer sync limits
#                              backfill live scorecard); the others are left out
#
# Each figure is its own step writing one JSON fragment; a step that fails is
# reported as "not measured: <why>" rather than stopping the run. Figures are
# printed and saved, never asserted.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
size=${BENCH_SIZE:-full}
target=${CARGO_TARGET_DIR:-target}
work=$target/bench
frags=$work/fragments
case "$size" in
  full) out=bench/results ;;
  tiny) out=bench/results/dev ;;
  *) echo "BENCH_SIZE must be full or tiny" >&2; exit 2 ;;
esac
rm -rf "$frags"
mkdir -p "$frags" "$out" "$work/logs"
times=$work/step-times.txt
: >"$times"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
wanted() { [ -z "${BENCH_ONLY:-}" ] || [[ " $BENCH_ONLY " == *" $1 "* ]]; }

# ---- tools -----------------------------------------------------------------
if ! command -v wrk >/dev/null; then
  say "installing wrk (Debian)"
  (apt-get update -qq && apt-get install -y -qq wrk) >/dev/null
fi
venv=$target/bench-venv
peer_python=$venv/bin/python
if wanted peer && ! "$peer_python" -c 'import source_hubspot' 2>/dev/null; then
  say "creating $venv with airbyte-source-hubspot 5.7.0 (PyPI; needs Python 3.10 or 3.11)"
  py=$(command -v python3.11 || command -v python3.10 || true)
  if [ -n "$py" ]; then
    "$py" -m venv "$venv"
    "$venv/bin/pip" install -q --upgrade pip >/dev/null
    "$venv/bin/pip" install -q airbyte-source-hubspot==5.7.0 >"$work/logs/venv.log" 2>&1 || true
  fi
fi

# ---- build -----------------------------------------------------------------
say "release build (site + server + bench driver)"
bash scripts/bootstrap.sh
site_error=
if ! bash scripts/build-site.sh release 2>&1 | tee "$work/logs/build-site.log" >&2; then
  # The server can still be measured; the bundle figure says why it is missing.
  site_error=$(grep -m1 -E '^error' "$work/logs/build-site.log" | cut -c1-160 || true)
  say "the release site did not build (${site_error:-see $work/logs/build-site.log}); going on without it"
  cargo build --release -p server --bin tally
fi
cargo build --release -p bench --bin tally-bench
bench=$target/release/tally-bench
tally=$target/release/tally
site=$target/site/release

# PostgreSQL for figure 1: BENCH_POSTGRES_URL, else the local server `make test` uses.
if [ -z "${BENCH_POSTGRES_URL:-}" ] && command -v pg_isready >/dev/null \
  && pg_isready -q -h 127.0.0.1 -p 5432; then
  export BENCH_POSTGRES_URL=postgres://postgres:postgres@127.0.0.1:5432/postgres
fi

# ---- sizes per BENCH_SIZE --------------------------------------------------
if [ "$size" = full ]; then
  ssr_duration=10 ssr_runs=3 read_requests=200
  peer_data=(--seed 7 --reps 5 --weeks 13 --scale 4)
  sync_data=(--seed 7 --reps 5 --weeks 13 --scale 18) sync_runs=3 limits_runs=3 live_events=50
  backfill_data=(--seed 7 --reps 5 --weeks 13 --scale 184)
  read_data=(--seed 7 --reps 5 --weeks 13 --scale 4) read_activities=1000000
else
  ssr_duration=1 ssr_runs=2 read_requests=20
  peer_data=(--seed 7 --reps 2 --weeks 2 --scale 0.5)
  sync_data=(--seed 7 --reps 2 --weeks 2 --scale 0.5) sync_runs=2 limits_runs=1 live_events=5
  backfill_data=(--seed 7 --reps 2 --weeks 2 --scale 0.5)
  read_data=(--seed 7 --reps 2 --weeks 2 --scale 0.5) read_activities=0
fi

# step NAME FIGURE COMMAND...: runs one figure; its stdout is the fragment.
step() {
  local name=$1 figure=$2; shift 2
  wanted "$name" || return 0
  say "figure $figure: $name"
  local t0=$SECONDS
  if "$@" >"$frags/$name.json.tmp" 2>"$work/logs/$name.log"; then
    mv "$frags/$name.json.tmp" "$frags/$name.json"
    say "  done in $((SECONDS - t0)) s"
    echo "$name $figure $((SECONDS - t0))" >>"$times"
  else
    local why
    why=$(grep -v '^\s*$' "$work/logs/$name.log" | tail -n 1 | cut -c1-200)
    say "  FAILED after $((SECONDS - t0)) s: $why (log: $work/logs/$name.log)"
    echo "$name $figure $((SECONDS - t0))" >>"$times"
    "$bench" not-measured --figure "$figure" --reason "step '$name' failed: $why" >"$frags/$name.json"
    rm -f "$frags/$name.json.tmp"
  fi
}

# A feature branch is merged when its code is in this tree.
have_sync() { [ -e server/src/sync.rs ] || [ -d server/src/sync ]; }
have_scorecard_api() { grep -rqs 'scorecards/{id}' server/src/http; }

# ---- figures ---------------------------------------------------------------
if [ -z "$site_error" ]; then
  step sizes 6 "$bench" sizes --pkg "$site/pkg"
else
  step sizes 6 "$bench" not-measured --figure 6 \
    --reason "release WASM build failed at $(git rev-parse --short HEAD): $site_error"
fi
step ssr 6 "$bench" ssr --tally "$tally" --site "$site" --work-dir "$work/ssr" \
  --duration "$ssr_duration" --runs "$ssr_runs"

if have_sync; then
  step sync 2 "$bench" sync --figure 2 --tally "$tally" --site "$site" --work-dir "$work/sync" \
    --runs "$sync_runs" --no-rate-limits "${sync_data[@]}"
  step backfill 6d "$bench" sync --figure 6d --tally "$tally" --site "$site" \
    --work-dir "$work/backfill" --runs 1 --no-rate-limits "${backfill_data[@]}"
  step limits 3 "$bench" sync --figure 3 --tally "$tally" --site "$site" --work-dir "$work/limits" \
    --runs "$limits_runs" "${peer_data[@]}"
  tally_rps=$(jq -r '.rows[]? | select(.id == "3a") | .values.records_per_s // empty' \
    "$frags/limits.json" 2>/dev/null || true)
  step peer 4 "$bench" peer --python "$peer_python" --wrapper bench/peer/run_airbyte.py \
    --work-dir "$work/peer" ${tally_rps:+--tally-records-per-s "$tally_rps"} \
    --tally-missing "figure 3 (Tally at the same limits) was not measured" "${peer_data[@]}"
  live_missing=
else
  sync_missing="sync engine not merged"
  step peer 4 "$bench" peer --python "$peer_python" --wrapper bench/peer/run_airbyte.py \
    --work-dir "$work/peer" --tally-missing "$sync_missing" "${peer_data[@]}"
  step sync 2 "$bench" not-measured --figure 2 --reason "$sync_missing"
  step limits 3 "$bench" not-measured --figure 3 --reason "$sync_missing"
  step backfill 6d "$bench" not-measured --figure 6d --reason "$sync_missing"
  live_missing=$sync_missing
fi
if have_scorecard_api; then
  step scorecard 1 "$bench" scorecard --tally "$tally" --site "$site" --work-dir "$work/scorecard" \
    --requests "$read_requests" --activities "$read_activities" --read-budget-s 90 \
    --data-missing "the top-up to 1,000,000 activities was not asked for (BENCH_SIZE=$size)" \
    --synced --no-rate-limits "${read_data[@]}"
else
  step scorecard 1 "$bench" not-measured --figure 1 --reason "scorecard API not merged"
  live_missing="${live_missing:+$live_missing; }scorecard API not merged"
fi
if have_sync; then
  step live 5 "$bench" live --tally "$tally" --site "$site" --work-dir "$work/live" \
    --events "$live_events" --scorecard-missing "${live_missing:-the driver does not read the scorecard yet}" \
    $(have_scorecard_api && echo --scorecard) \
    --seed 7 --reps 2 --weeks 2 --scale 0.5
else
  step live 5 "$bench" not-measured --figure 5 --reason "$live_missing"
fi

# ---- report ----------------------------------------------------------------
say "report"
readmes=()
[ "$size" = full ] && readmes=(--readme README.md --readme bench/README.md)
"$bench" report --fragments "$frags" --json "$out/latest.json" --md "$out/latest.md" \
  --size "$size" --total-seconds "$(( $(date +%s) - start ))" --step-times "$times" "${readmes[@]}"
say "wrote $out/latest.json and $out/latest.md in $(( $(date +%s) - start )) s"
