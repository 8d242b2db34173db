#!/usr/bin/env bash
# health-gate's FROM scratch image, run exactly as a GitHub runner runs a container action:
# INPUT_* variables, GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files mounted, --workdir /github/workspace.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/run-image-test.sh"
BIN=${YONIMA_BIN:-$YIT_REPO/build/bin}

svc_out=$(mktemp)
python3 "$YIT_REPO/tests/support/http_service.py" > "$svc_out" 2>/dev/null &
svc_pid=$!
trap 'kill $svc_pid 2>/dev/null; yit_cleanup' EXIT
for _ in $(seq 1 50); do grep -q '^PORT ' "$svc_out" && break; sleep 0.1; done
port=$(awk '/^PORT /{print $2}' "$svc_out")
[ -n "$port" ] || { echo "FAIL: http service did not start"; exit 1; }
set_script() { curl -sf -X PUT --data "$1" "http://127.0.0.1:$port/__script" >/dev/null; }

yit_build_image health-gate "$BIN/health-gate" || exit 1

set_script '{"routes":{"/health":[{"status":200,"json":{"status":"ok","version":"1.5.0"}}]}}'
yit_run_action "$YIT_IMAGE" -e "$(yit_input url "http://127.0.0.1:$port/health")" \
  -e "$(yit_input expect-version 1.5.0)" -e "$(yit_input interval 100ms)" -e "$(yit_input timeout 10s)" --
[ "$YIT_STATUS" -eq 0 ] || { echo "FAIL: healthy service: exit $YIT_STATUS"; cat "$YIT_STDERR"; exit 1; }
yit_assert_output healthy true || exit 1
yit_assert_output served-version 1.5.0 || exit 1
yit_assert_summary_contains "### health-gate: healthy" || exit 1

set_script '{"routes":{"/health":[{"status":503,"json":{"status":"error","error":{"database":{"status":"down"}}}}]}}'
yit_run_action "$YIT_IMAGE" -e "$(yit_input url "http://127.0.0.1:$port/health")" \
  -e "$(yit_input interval 100ms)" -e "$(yit_input timeout 500ms)" --
[ "$YIT_STATUS" -eq 1 ] || { echo "FAIL: broken service: expected exit 1, got $YIT_STATUS"; cat "$YIT_STDERR"; exit 1; }
yit_assert_output healthy false || exit 1
reason=$(yit_output reason)
case "$reason" in
  "503 from /health: database is down"*) ;;
  *) echo "FAIL: unexpected reason: $reason"; exit 1 ;;
esac
yit_assert_stdout_contains "::error title=health-gate%3A not healthy::" || exit 1

# A usage error inside the container: exit 2, one line.
yit_run_action "$YIT_IMAGE" -e "$(yit_input interval 5)" --
[ "$YIT_STATUS" -eq 2 ] || { echo "FAIL: usage error: expected exit 2, got $YIT_STATUS"; exit 1; }
echo "PASS: health-gate image runs as a container action"
