#!/usr/bin/env bash
# The drill's stand-in for the NestJS API: the programmable HTTP service on 127.0.0.1 answering
# /health the way @nestjs/terminus does. `sample-api.sh start DIR PORT VERSION good|broken`
# (re)starts it detached, so a rollback command can restart it and exit.
set -euo pipefail
cmd=${1:?usage: sample-api.sh start|stop DIR [PORT VERSION good|broken]}
dir=${2:?drill directory}
repo=$(cd "$(dirname "$0")/../.." && pwd)

# Stopping waits until the old process is gone (SIGKILL after 10s): a killed server that has not
# exited yet still holds the port, and the next start would race it for the bind. Bounded in time,
# not in tries: on a loaded machine each try is slow.
alive() {  # a zombie (exited, not yet reaped by a non-reaping PID 1) holds no port: gone
  [ -r "/proc/$1/stat" ] || return 1
  local state
  state=$(sed 's/^.*) \(.\).*$/\1/' "/proc/$1/stat" 2>/dev/null) || return 1
  [ "$state" != Z ] && [ "$state" != X ]
}

stop() {
  [ -f "$dir/api.pid" ] || return 0
  local pid deadline
  pid=$(cat "$dir/api.pid")
  kill "$pid" 2>/dev/null || true
  deadline=$((SECONDS + 10))
  while alive "$pid" && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.05; done
  if alive "$pid"; then
    kill -KILL "$pid" 2>/dev/null || true
    deadline=$((SECONDS + 10))
    while alive "$pid" && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.05; done
  fi
  rm -f "$dir/api.pid"
}

case "$cmd" in
  stop) stop ;;
  start)
    port=${3:?port}; version=${4:?version}; health=${5:?good|broken}
    if [ "$health" = good ]; then
      body='{"status":200,"json":{"status":"ok","version":"'"$version"'","info":{"database":{"status":"up"}},"error":{},"details":{"database":{"status":"up"}}}}'
    else
      body='{"status":503,"json":{"status":"error","version":"'"$version"'","info":{},"error":{"database":{"status":"down","message":"password authentication failed for user \"api\""}},"details":{"database":{"status":"down"}}}}'
    fi
    printf '{"routes":{"/health":[%s]}}' "$body" > "$dir/api-script.json"
    stop
    # Wait (bounded: 30s) for the port to be free again, e.g. a TIME_WAIT left by the old server.
    deadline=$((SECONDS + 30))
    until python3 -c "import socket; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('127.0.0.1', $port))" 2>/dev/null; do
      [ "$SECONDS" -lt "$deadline" ] || { echo "sample-api: port $port still in use after 30s: stop what holds it (ss -ltnp 'sport = :$port')" >&2; exit 1; }
      sleep 0.1
    done
    # The old server's output says PORT too: gone before the new one starts, or the wait below could
    # read it before the background job's redirection has truncated the file (seen under load).
    rm -f "$dir/api.out"
    setsid python3 "$repo/tests/support/http_service.py" --port "$port" --script "$dir/api-script.json" \
      > "$dir/api.out" 2>&1 < /dev/null &
    pid=$!
    echo "$pid" > "$dir/api.pid"
    # Ready once it prints PORT. A cold Python start on a loaded 2-core machine can take seconds:
    # wait up to 60s, but give up at once if the server died (e.g. the bind failed).
    deadline=$((SECONDS + 60))
    until grep -q '^PORT ' "$dir/api.out" 2>/dev/null; do
      if ! alive "$pid" || [ "$SECONDS" -ge "$deadline" ]; then
        grep -q '^PORT ' "$dir/api.out" 2>/dev/null && break
        echo "sample-api: did not start on port $port (after $((SECONDS - deadline + 60))s); its output:" >&2
        tail -n 20 "$dir/api.out" >&2 || true
        exit 1
      fi
      sleep 0.1
    done
    echo "$version" > "$dir/api.version"
    echo "sample-api: release $version ($health) listening on 127.0.0.1:$port (start took ${SECONDS}s)" >&2
    ;;
  *) echo "usage: sample-api.sh start|stop DIR [PORT VERSION good|broken]" >&2; exit 2 ;;
esac
