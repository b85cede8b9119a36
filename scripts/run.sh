#!/usr/bin/env bash
# Builds botcoach (release), migrates the database, loads the demo knowledge and accounts
# (printing their credentials), and serves it at http://127.0.0.1:3000 (BOTCOACH_BIND to change).
# Installs whatever is missing first. Running it again keeps the data and the demo accounts.
# Each stage prints its time; a stage that fails says what to try.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
source scripts/stages.sh

stage "set-up (installs only what is missing)" "run scripts/setup.sh alone to see which step fails" \
  scripts/setup.sh
stage "building the release server and wasm bundle (about 25 minutes the first time)" \
  "'cargo leptos build --release' alone shows the first error; see Troubleshooting for the known ones" \
  cargo leptos build --release

bin="$CARGO_TARGET_DIR/release/botcoach"
export BOTCOACH_SITE_ROOT=${BOTCOACH_SITE_ROOT:-$PWD/target/site}
stage "loading demo data (migrates first)" \
  "check BOTCOACH_DATABASE_URL (default sqlite://data/botcoach.db) and that its folder is writable" \
  "$bin" demo --dir demo
stage_summary
printf '\n==> serving on http://%s (Ctrl-C to stop)\n' "${BOTCOACH_BIND:-127.0.0.1:3000}" >&2
exec "$bin" serve
