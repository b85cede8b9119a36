#!/usr/bin/env bash
# Runs every test: unit and integration tests (real model, real SQLite files, a throw-away
# PostgreSQL server), then browser tests in headless Chromium against a running server.
# Installs whatever is missing first.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --for-tests
source scripts/env.sh

work=$(mktemp -d)
trap 'scripts/postgres.sh stop "$work/pg"; rm -rf "$work"' EXIT
BOTCOACH_TEST_POSTGRES_URL=$(scripts/postgres.sh start "$work/pg")
export BOTCOACH_TEST_POSTGRES_URL

printf '\n==> unit and integration tests\n' >&2
# The same flags as cargo-leptos' debug build below, so both share one set of compiled crates.
RUSTFLAGS="--cfg erase_components" cargo test --workspace --locked

printf '\n==> benchmarks compile (they are run by hand, see the README)\n' >&2
RUSTFLAGS="--cfg erase_components" cargo test --workspace --benches --no-run --locked

printf '\n==> building the web app (server + wasm)\n' >&2
cargo leptos build

printf '\n==> browser tests\n' >&2
scripts/e2e.sh "$CARGO_TARGET_DIR/debug/botcoach"
