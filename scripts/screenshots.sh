#!/usr/bin/env bash
# Serves the demo (scripts/run.sh on a throw-away database) and screenshots the main pages in
# Chinese and English, as the role that works on each, into DIR (default /tmp/botcoach-shots).
# For looking at a change; not part of the test command. Usage: scripts/screenshots.sh [DIR]
# It also writes the README's picture, docs/inbox.zh.png (the Chinese inbox, one window high).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
source scripts/serving.sh
shots=$(realpath -m "${1:-/tmp/botcoach-shots}")
mkdir -p "$shots"
work=$(mktemp -d)
port=$(free_port)
export BOTCOACH_DATABASE_URL="sqlite://$work/botcoach.db" BOTCOACH_BIND="127.0.0.1:$port"
scripts/run.sh >"$work/run.log" 2>&1 &
server=$!
trap 'kill -TERM "$server" 2>/dev/null && wait "$server" 2>/dev/null; rm -rf "$work"' EXIT
wait_until_ready "$port" "$server" "$work/run.log" 600
password() { awk -v who="$1" '$1 == who && $3 == "password" { print $4 }' "$work/demo-credentials.txt"; }
export DEMO_TRAINER_PASSWORD=$(password trainer) DEMO_REVIEWER_PASSWORD=$(password reviewer) \
  DEMO_SUPERVISOR_PASSWORD=$(password supervisor) DEMO_ADMIN_PASSWORD=$(password admin) SHOTS_DIR="$shots"
cd end2end
BASE_URL="http://127.0.0.1:$port" npx playwright test --config screens.config.mjs
cp "$shots/readme-inbox-zh.png" ../docs/inbox.zh.png
echo "screenshots in $shots; the README's picture in docs/inbox.zh.png" >&2
