#!/usr/bin/env bash
# The deploy drill: a local end-to-end deploy with automatic rollback, on embedded defaults and
# nothing but 127.0.0.1. The sample API runs release 1.4.1; release 1.5.0 is deployed and is broken
# (its database credentials are wrong); health-gate catches it and its --on-failure rollback puts
# 1.4.1 back; health-gate then confirms the good release serves again.
#   bash scripts/drill.sh          (builds first on a fresh Debian 12 machine)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
[ "${DRILL_SKIP_BUILD:-0}" = 1 ] || bash scripts/build.sh
bin=$repo/build/bin

work=$(mktemp -d "${TMPDIR:-/tmp}/yonima-drill.XXXXXX")
trap 'scripts/drill/sample-api.sh stop "$work"; rm -rf "$work"' EXIT
port=$(python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])")
url=http://127.0.0.1:$port/health
step() { printf '\n\033[1m== %s\033[0m\n' "$*" >&2; }

step "1. release 1.4.1 is live"
scripts/drill/sample-api.sh start "$work" "$port" 1.4.1 good
"$bin/health-gate" --url "$url" --expect-version 1.4.1 --interval 200ms --timeout 10s

step "2. deploy release 1.5.0 (broken: its database password is wrong)"
scripts/drill/sample-api.sh start "$work" "$port" 1.5.0 broken

step "3. health-gate checks 1.5.0 and rolls back on failure"
set +e
"$bin/health-gate" --url "$url" --expect-version 1.5.0 --expect-json /status=ok \
  --successes 2 --interval 300ms --timeout 3s \
  --on-failure "$repo/scripts/drill/sample-api.sh start $work $port 1.4.1 good"
gate=$?
set -e
if [ "$gate" -ne 1 ]; then
  echo "drill FAILED: health-gate should have caught the broken release and rolled back (exit 1), got exit $gate" >&2
  exit 1
fi

step "4. the rollback restored 1.4.1"
"$bin/health-gate" --url "$url" --expect-version 1.4.1 --interval 200ms --timeout 10s
printf '\ndrill passed: the broken release was caught and rolled back; %s serves again\n' "$(cat "$work/api.version")" >&2
