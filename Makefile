# Tally's two commands. See README.md.
.PHONY: run test build e2e bench fmt clean-data

# Bootstrap missing tools, build (release), migrate data/tally.db, serve the demo.
run:
	@bash scripts/run.sh

# Everything CI checks: fmt, clippy (ssr + hydrate), tests on SQLite and
# PostgreSQL, conformance, Playwright end-to-end.
test:
	@bash scripts/test.sh

# Release build only: target/release/tally, its site inside, no demo sandbox.
build:
	@bash scripts/bootstrap.sh
	@bash scripts/build-site.sh release

# Playwright only, against a copy of the release binary (with the demo) run
# alone in an empty folder; TALLY_E2E_PROFILE=debug for the debug build.
e2e:
	@bash scripts/bootstrap.sh
	@bash scripts/e2e.sh

# Benchmarks of issue 7: prints a table, writes bench/results/latest.{json,md}.
# BENCH_SIZE=tiny for a seconds-long check (results in bench/results/dev/).
bench:
	@bash scripts/bench.sh

fmt:
	cargo fmt --all

# Forget the local demo database and keys (asks nothing; data/ only).
clean-data:
	rm -rf data
