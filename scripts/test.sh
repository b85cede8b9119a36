#!/usr/bin/env bash
# Runs every test: unit and integration tests (real model, real SQLite files), then browser
# tests in headless Chromium against a running server. Installs whatever is missing first.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --with-browser
source scripts/env.sh

printf '\n==> unit and integration tests\n' >&2
# The same flags as cargo-leptos' debug build below, so both share one set of compiled crates.
RUSTFLAGS="--cfg erase_components" cargo test --workspace --locked

printf '\n==> building the web app (server + wasm)\n' >&2
cargo leptos build

printf '\n==> browser tests\n' >&2
scripts/e2e.sh "$CARGO_TARGET_DIR/debug/botcoach"
