#!/usr/bin/env bash
# Starts the product exactly as a user does (scripts/run.sh: release build, demo data, serve) on a
# throw-away database and a free port, then checks in headless Chromium that the demo signs in,
# hydrates and shows its knowledge, inbox and dashboard. Usage: scripts/smoke.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
source scripts/serving.sh

work=$(mktemp -d)
port=$(free_port)
export BOTCOACH_DATABASE_URL="sqlite://$work/botcoach.db"
export BOTCOACH_BIND="127.0.0.1:$port"
# run.sh ends by exec-ing the server, so this pid is the server's once it serves.
scripts/run.sh >"$work/run.log" 2>&1 &
server=$!
cleanup() {
  kill -TERM "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# run.sh builds (nothing to do after the build stage) and loads the demo before it serves.
wait_until_ready "$port" "$server" "$work/run.log" 120

# The demo prints each account's generated password (and keeps them beside the database).
password() { awk -v who="$1" '$1 == who && $3 == "password" { print $4 }' "$work/demo-credentials.txt"; }
DEMO_TRAINER_PASSWORD=$(password trainer)
DEMO_SUPERVISOR_PASSWORD=$(password supervisor)
[ -n "$DEMO_TRAINER_PASSWORD" ] && [ -n "$DEMO_SUPERVISOR_PASSWORD" ] || {
  echo "the demo printed no passwords:" >&2; cat "$work/run.log" >&2; exit 1
}
export DEMO_TRAINER_PASSWORD DEMO_SUPERVISOR_PASSWORD

cd end2end
BASE_URL="http://127.0.0.1:$port" npx playwright test --config smoke.config.mjs || {
  echo "--- scripts/run.sh's output, last 60 lines ---" >&2
  tail -n 60 "$work/run.log" >&2
  exit 1
}
