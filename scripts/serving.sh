# Sourced by the scripts that start a server for tests (e2e.sh, smoke.sh).

# A free port on loopback.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# wait_until_ready PORT PID LOG SECONDS: polls /readyz (the server migrates and loads the model
# before it listens); fails with the log when the process ends first or time runs out.
wait_until_ready() {
  local port=$1 pid=$2 log=$3 tries=$(( $4 * 2 ))
  for _ in $(seq 1 "$tries"); do
    if curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; then return 0; fi
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "botcoach stopped before it was ready:" >&2; cat "$log" >&2; return 1
    fi
    sleep 0.5
  done
  echo "botcoach never became ready:" >&2; cat "$log" >&2; return 1
}
