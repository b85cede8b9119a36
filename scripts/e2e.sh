#!/usr/bin/env bash
# Starts a botcoach built by `cargo leptos build` on a free port with a throw-away SQLite file,
# waits until it is ready, runs the Playwright tests against it, and stops it.
# Usage: scripts/e2e.sh PATH/TO/botcoach [PLAYWRIGHT ARGS…]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
source scripts/serving.sh
bin=${1:?usage: scripts/e2e.sh PATH/TO/botcoach [PLAYWRIGHT ARGS…]}
shift

work=$(mktemp -d)
port=$(free_port)
export BOTCOACH_DATABASE_URL="sqlite://$work/e2e.db"
export BOTCOACH_BIND="127.0.0.1:$port"
export BOTCOACH_SITE_ROOT="$PWD/target/site"
# The browser tests train the model themselves (model.spec.mjs); no scheduled run in between.
export BOTCOACH_LEARNING__AFTER_NEW_TEXTS=0
# Accounts the tests sign in with: each role once, a second trainer for concurrent edits, and
# one whose remembered language the language test may change.
for user in trainer:trainer trainer2:trainer reviewer:reviewer supervisor:supervisor admin:admin polyglot:trainer; do
  echo "e2e-password" | "$bin" user add "${user%%:*}" --role "${user##*:}" >/dev/null 2>>"$work/server.log"
done
BOT_TOKEN=$("$bin" token create e2e-bot --role bot 2>>"$work/server.log")
REVIEWER_TOKEN=$("$bin" token create e2e-reviewer --role reviewer 2>>"$work/server.log")
export BOT_TOKEN REVIEWER_TOKEN
"$bin" serve >"$work/server.log" 2>&1 &
server=$!
# E2E_KEEP=1 keeps the database and the server's log for a look after a failure.
cleanup() {
  kill -TERM "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
  if [[ ${E2E_KEEP:-} == 1 ]]; then echo "kept: $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

wait_until_ready "$port" "$server" "$work/server.log" 60

cd end2end
# Extra arguments pick tests (e.g. a spec file). On failure the server's last words help.
BASE_URL="http://127.0.0.1:$port" npx playwright test "$@" || {
  echo "--- the server's log, last 60 lines ---" >&2
  tail -n 60 "$work/server.log" >&2
  exit 1
}
