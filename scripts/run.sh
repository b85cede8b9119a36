#!/usr/bin/env bash
# Builds botcoach (release), migrates the database, loads the demo knowledge and accounts
# (printing their credentials), and serves it at http://127.0.0.1:3000 (BOTCOACH_BIND to change).
# Installs whatever is missing first. Running it again keeps the data and the demo accounts.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh

printf '\n==> building (release)\n' >&2
cargo leptos build --release

bin="$CARGO_TARGET_DIR/release/botcoach"
export BOTCOACH_SITE_ROOT=${BOTCOACH_SITE_ROOT:-$PWD/target/site}
printf '\n==> loading demo data (migrates first)\n' >&2
"$bin" demo --dir demo
printf '\n==> serving on http://%s (Ctrl-C to stop)\n' "${BOTCOACH_BIND:-127.0.0.1:3000}" >&2
exec "$bin" serve
