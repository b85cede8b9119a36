#!/usr/bin/env bash
# Starts the product as a user does, on a throw-away database and a free port, and checks it in
# headless Chromium. Usage: scripts/smoke.sh [demo|fresh]
#   demo  (default) scripts/run.sh exactly (release build, demo data, serve): the demo signs in,
#         hydrates and shows its knowledge, inbox and dashboard; then the page walker reads every
#         page as every role in both languages (walker.spec.mjs); then the docs' examples run
#         against it (scripts/docs-examples.py).
#   fresh a new install with nothing in it (migrate, one user per role, a bot token, serve): the
#         bot's first questions are misses that reach the inbox, and every page shows the empty
#         or nearly empty state in both languages without an error.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
source scripts/serving.sh
mode=${1:-demo}

work=$(mktemp -d)
port=$(free_port)
export BOTCOACH_DATABASE_URL="sqlite://$work/botcoach.db"
export BOTCOACH_BIND="127.0.0.1:$port"
log="$work/run.log"
case $mode in
  demo)
    # run.sh ends by exec-ing the server, so this pid is the server's once it serves.
    scripts/run.sh >"$log" 2>&1 &
    ;;
  fresh)
    bin="$CARGO_TARGET_DIR/release/botcoach"
    export BOTCOACH_SITE_ROOT="$PWD/target/site"
    "$bin" migrate >"$log" 2>&1
    SMOKE_PASSWORD="fresh-$RANDOM-$RANDOM"
    for role in trainer reviewer supervisor admin; do
      echo "$SMOKE_PASSWORD" | "$bin" user add "$role" --role "$role" >>"$log" 2>&1
    done
    BOT_TOKEN=$("$bin" token create first-bot --role bot 2>>"$log")
    export SMOKE_PASSWORD BOT_TOKEN
    "$bin" serve >>"$log" 2>&1 &
    ;;
  *) echo "usage: scripts/smoke.sh [demo|fresh]" >&2; exit 2 ;;
esac
server=$!
cleanup() {
  kill -TERM "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# run.sh builds (after the build stage only wasm-bindgen and wasm-opt run again, 1 to 2 minutes
# here) and loads the demo (embedding it) before it serves.
wait_until_ready "$port" "$server" "$log" 600

if [ "$mode" = demo ]; then
  # The demo prints each account's generated password (and keeps them beside the database).
  password() { awk -v who="$1" '$1 == who && $3 == "password" { print $4 }' "$work/demo-credentials.txt"; }
  DEMO_TRAINER_PASSWORD=$(password trainer)
  DEMO_REVIEWER_PASSWORD=$(password reviewer)
  DEMO_SUPERVISOR_PASSWORD=$(password supervisor)
  DEMO_ADMIN_PASSWORD=$(password admin)
  DEMO_BOT_TOKEN=$(awk '/^Bot API token:/ { print $4 }' "$work/demo-credentials.txt")
  [ -n "$DEMO_TRAINER_PASSWORD" ] && [ -n "$DEMO_REVIEWER_PASSWORD" ] && [ -n "$DEMO_SUPERVISOR_PASSWORD" ] \
    && [ -n "$DEMO_ADMIN_PASSWORD" ] && [ -n "$DEMO_BOT_TOKEN" ] || {
    echo "the demo printed no passwords or token:" >&2; cat "$log" >&2; exit 1
  }
  export DEMO_TRAINER_PASSWORD DEMO_REVIEWER_PASSWORD DEMO_SUPERVISOR_PASSWORD DEMO_ADMIN_PASSWORD DEMO_BOT_TOKEN
  specs=(demo.spec.mjs walker.spec.mjs)
else
  specs=(fresh.spec.mjs)
fi

cd end2end
# SMOKE_SPECS picks specs by hand (e.g. walker.spec.mjs alone).
read -r -a specs <<<"${SMOKE_SPECS:-${specs[*]}}"
BASE_URL="http://127.0.0.1:$port" npx playwright test --config smoke.config.mjs "${specs[@]}" || {
  echo "--- the server's output, last 60 lines ---" >&2
  tail -n 60 "$log" >&2
  exit 1
}
cd ..

# The docs' examples (the bot client in Python and curl, the operator's commands) against the
# demo as it serves: a docs example that no longer works fails here.
if [ "$mode" = demo ] && [ -z "${SMOKE_SPECS:-}" ]; then
  PATH="$CARGO_TARGET_DIR/release:$PATH" BOTCOACH_URL="http://127.0.0.1:$port" BOT_TOKEN="$DEMO_BOT_TOKEN" \
    python3 scripts/docs-examples.py || {
    echo "--- the server's output, last 30 lines ---" >&2
    tail -n 30 "$log" >&2
    exit 1
  }
fi
