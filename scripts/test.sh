#!/usr/bin/env bash
# Runs every test on what users run: builds the release server and wasm bundle exactly as
# scripts/run.sh does, starts the product the way run.sh starts it (demo data) and checks it in a
# browser, runs the browser tests and the API fuzzer against that same build, then the unit and
# integration tests (real model, real SQLite files, a throw-away PostgreSQL server).
# Installs whatever is missing first. Each stage prints its time.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
source scripts/stages.sh

stage "set-up (installs only what is missing)" "run scripts/setup.sh --for-tests alone to see which step fails" \
  scripts/setup.sh --for-tests

# leptosfmt first (it formats inside view!, which rustfmt leaves alone), then rustfmt.
stage "formatting: leptosfmt over app/src and cargo fmt, both unchanged" \
  "run 'leptosfmt app/src && cargo fmt' and commit what they change" \
  bash -c 'leptosfmt --check app/src && cargo fmt --all --check'

stage "no two source files import each other" "scripts/import-cycles.py lists the pairs" \
  python3 scripts/import-cycles.py

work=$(mktemp -d)
trap 'scripts/postgres.sh stop "$work/pg"; rm -rf "$work"' EXIT
BOTCOACH_TEST_POSTGRES_URL=$(scripts/postgres.sh start "$work/pg")
export BOTCOACH_TEST_POSTGRES_URL

# First, so a broken release build fails in minutes, not after the whole suite.
stage "release build: server and wasm bundle (what scripts/run.sh builds)" \
  "'cargo leptos build --release' alone shows the first error" \
  cargo leptos build --release

stage "smoke: scripts/run.sh serves the demo, signed in and hydrated; the docs' examples run against it" \
  "scripts/smoke.sh alone prints run.sh's output when it fails" \
  scripts/smoke.sh demo

stage "smoke: a fresh install collects its first misses, every page shows them" \
  "scripts/smoke.sh fresh alone prints the server's log when it fails" \
  scripts/smoke.sh fresh

stage "browser tests against the release build" "scripts/e2e.sh \$CARGO_TARGET_DIR/release/botcoach FILE reruns one spec" \
  scripts/e2e.sh "$CARGO_TARGET_DIR/release/botcoach"

stage "API fuzzing from the OpenAPI document on the demo (schemathesis, no 5xx, as documented)" \
  "scripts/fuzz.sh \$CARGO_TARGET_DIR/release/botcoach demo reruns it; st replay ID shows one case" \
  scripts/fuzz.sh "$CARGO_TARGET_DIR/release/botcoach" demo

stage "API fuzzing on a fresh database (no knowledge, no misses, no asks yet)" \
  "scripts/fuzz.sh \$CARGO_TARGET_DIR/release/botcoach fresh reruns it" \
  scripts/fuzz.sh "$CARGO_TARGET_DIR/release/botcoach" fresh

# The release profile here too: the tests reuse every dependency the release build compiled
# (same profile, features and flags), so nothing is compiled twice. leptos reads
# LEPTOS_OUTPUT_NAME at compile time and cargo-leptos sets it: without the same value here,
# leptos and everything above it (app, server) would be rebuilt, and again by the next build.
export LEPTOS_OUTPUT_NAME=botcoach
stage "unit and integration tests (release profile)" "cargo test --release -p CRATE --test FILE reruns one" \
  cargo test --workspace --release --locked

stage "benchmarks compile (they are run by hand, see docs/development.md)" "cargo bench --no-run shows the error" \
  cargo test --workspace --benches --no-run --release --locked

stage_summary
