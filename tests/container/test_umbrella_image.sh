#!/usr/bin/env bash
# The umbrella image (tools/yonima-deploy: every tool in one binary, the entrypoint), run as a GitHub runner runs the
# root action.yml (INPUT_TOOL plus the tool's inputs, no arguments) and as `docker run IMAGE <tool>`.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/run-image-test.sh"
BIN=${YONIMA_BIN:-$YIT_REPO/build/bin}

svc_out=$(mktemp)
python3 "$YIT_REPO/tests/support/http_service.py" > "$svc_out" 2>/dev/null &
svc_pid=$!
trap 'kill $svc_pid 2>/dev/null; rm -f "$svc_out"; yit_cleanup' EXIT
for _ in $(seq 1 50); do grep -q '^PORT ' "$svc_out" && break; sleep 0.1; done
port=$(awk '/^PORT /{print $2}' "$svc_out")
[ -n "$port" ] || { echo "FAIL: http service did not start"; exit 1; }
curl -sf -X PUT --data '{"routes":{"/health":[{"status":200,"json":{"status":"ok","version":"2.0.0"}}]}}' \
  "http://127.0.0.1:$port/__script" >/dev/null

image=$("$YIT_REPO/docker/build-umbrella-image.sh" "$BIN" localhost/yonima-test/yonima-deploy:test) || exit 1

# As the root action.yml runs it.
yit_run_action "$image" -e "$(yit_input tool health-gate)" -e "$(yit_input url "http://127.0.0.1:$port/health")" \
  -e "$(yit_input expect-version 2.0.0)" -e "$(yit_input interval 100ms)" -e "$(yit_input command '')" --
[ "$YIT_STATUS" -eq 0 ] || { echo "FAIL: tool health-gate: exit $YIT_STATUS"; cat "$YIT_STDERR"; exit 1; }
yit_assert_output served-version 2.0.0 || exit 1

yit_run_action "$image" -e "$(yit_input tool image-promote)" -e "$(yit_input command gate)" \
  -e "$(yit_input trivy-report /github/workspace/nope.json)" --
[ "$YIT_STATUS" -eq 2 ] || { echo "FAIL: image-promote gate on a missing report: expected 2, got $YIT_STATUS"; exit 1; }

# As `docker run IMAGE <tool> ...`.
yit_run_action "$image" -- migrate-guard --version
[ "$YIT_STATUS" -eq 0 ] || { echo "FAIL: migrate-guard --version: exit $YIT_STATUS"; exit 1; }
yit_assert_stdout_contains "migrate-guard " || exit 1

yit_run_action "$image" -e "$(yit_input tool nope)" --
[ "$YIT_STATUS" -eq 2 ] || { echo "FAIL: unknown tool: expected 2, got $YIT_STATUS"; exit 1; }
grep -q "the input tool 'nope' is not a tool" "$YIT_STDERR" || { echo "FAIL: unknown tool message"; cat "$YIT_STDERR"; exit 1; }

# As a tool's own image is run: /usr/local/bin/<tool> is the umbrella binary under the tool's name.
yit_run_action "$image" --entrypoint /usr/local/bin/ota-publish -- --version
[ "$YIT_STATUS" -eq 0 ] || { echo "FAIL: --entrypoint /usr/local/bin/ota-publish --version: exit $YIT_STATUS"; exit 1; }
yit_assert_stdout_contains "ota-publish " || exit 1
echo "PASS: the umbrella image runs every tool as the root action and as docker run"
