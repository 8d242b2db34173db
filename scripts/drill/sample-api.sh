#!/usr/bin/env bash
# The drill's stand-in for the NestJS API: the programmable HTTP service on 127.0.0.1 answering
# /health the way @nestjs/terminus does. `sample-api.sh start DIR PORT VERSION good|broken`
# (re)starts it detached, so a rollback command can restart it and exit.
set -euo pipefail
cmd=${1:?usage: sample-api.sh start|stop DIR [PORT VERSION good|broken]}
dir=${2:?drill directory}
repo=$(cd "$(dirname "$0")/../.." && pwd)

stop() {
  if [ -f "$dir/api.pid" ]; then
    kill "$(cat "$dir/api.pid")" 2>/dev/null || true
    rm -f "$dir/api.pid"
  fi
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
    # Wait for the port to be free again: the old process may still be closing it.
    for _ in $(seq 1 50); do
      python3 -c "import socket,sys; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('127.0.0.1', $port))" 2>/dev/null && break
      sleep 0.1
    done
    setsid python3 "$repo/tests/support/http_service.py" --port "$port" --script "$dir/api-script.json" \
      > "$dir/api.out" 2>&1 < /dev/null &
    echo $! > "$dir/api.pid"
    for _ in $(seq 1 50); do grep -q '^PORT ' "$dir/api.out" 2>/dev/null && break; sleep 0.1; done
    grep -q '^PORT ' "$dir/api.out" || { echo "sample-api: did not start on port $port" >&2; exit 1; }
    echo "$version" > "$dir/api.version"
    ;;
  *) echo "usage: sample-api.sh start|stop DIR [PORT VERSION good|broken]" >&2; exit 2 ;;
esac
