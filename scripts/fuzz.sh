#!/usr/bin/env bash
# Fuzzes every route of the HTTP API from its own OpenAPI document with schemathesis (pinned,
# in a venv in the cache): generated valid and invalid requests, with an admin token, against a
# server on the demo data. Fails on any 5xx or any response that does not match the document.
# Usage: scripts/fuzz.sh BINARY   (FUZZ_EXAMPLES=N per operation, default 25)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
source scripts/serving.sh
bin=${1:?usage: scripts/fuzz.sh BINARY [demo|fresh]}
data=${2:-demo}
case $data in demo|fresh) ;; *) echo "usage: scripts/fuzz.sh BINARY [demo|fresh]" >&2; exit 2 ;; esac
SCHEMATHESIS_VERSION=4.32.5
venv="$BOTCOACH_CACHE/tools/schemathesis-$SCHEMATHESIS_VERSION"
if [ ! -x "$venv/bin/st" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet "schemathesis==$SCHEMATHESIS_VERSION"
fi

work=$(mktemp -d)
port=$(free_port)
export BOTCOACH_DATABASE_URL="sqlite://$work/fuzz.db" BOTCOACH_BIND="127.0.0.1:$port" BOTCOACH_LOG=warn
if [ "$data" = demo ]; then
  "$bin" demo --dir demo >"$work/demo.log" 2>&1
else
  "$bin" migrate >"$work/demo.log" 2>&1
fi
token=$("$bin" token create fuzz --role admin 2>>"$work/demo.log")
"$bin" serve >"$work/server.log" 2>&1 &
server=$!
cleanup() {
  kill -TERM "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
wait_until_ready "$port" "$server" "$work/server.log" 120

# From the work folder: schemathesis keeps its cache (.schemathesis/) where it runs.
cd "$work"
"$venv/bin/st" run "http://127.0.0.1:$port/api/v1/openapi.json" \
  --header "Authorization: Bearer $token" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
  --phases examples,coverage,fuzzing \
  --max-examples "${FUZZ_EXAMPLES:-25}" \
  --request-timeout 120 \
  --workers 2 \
  --seed "${FUZZ_SEED:-20261126}" \
  --report-dir "$work/report" || {
  echo "--- server log, last 40 lines ---" >&2
  tail -n 40 "$work/server.log" >&2
  exit 1
}
