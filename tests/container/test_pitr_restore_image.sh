#!/usr/bin/env bash
# pitr-restore's FROM scratch image, run exactly as a GitHub runner runs a container action (INPUT_*
# variables, the workspace at /github/workspace, output and summary files mounted), against the
# local STAND-IN for the Supabase Management API (tests/integration/pitr-restore/supabase_standin.py;
# the real API cannot be reached from here). The container shares the host network.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/run-image-test.sh"
BIN=${YONIMA_BIN:-$YIT_REPO/build/bin}
token=sbp_container_0123456789abcdef0123456789abcdef
ref=abcdefghijklmnopqrst

info=$(mktemp)
python3 "$YIT_REPO/tests/integration/pitr-restore/supabase_standin.py" > "$info" 2>/dev/null &
standin=$!
trap 'kill $standin 2>/dev/null; yit_cleanup; rm -f "$info"' EXIT
for _ in $(seq 1 100); do [ -s "$info" ] && break; sleep 0.1; done
port=$(awk '/^PORT/ {print $2}' "$info")
[ -n "$port" ] || { echo "FAIL: the Supabase stand-in did not start"; exit 1; }
api=http://127.0.0.1:$port
now=$(date +%s)
curl -fsS -X PUT "$api/__config" -d "{\"token\": \"$token\", \"projects\": {\"$ref\": {\"earliest\": $((now - 86400)),
  \"latest\": $((now - 60)), \"restore_seconds\": 2}}}" >/dev/null || { echo "FAIL: cannot configure the stand-in"; exit 1; }

yit_build_image pitr-restore "$BIN/pitr-restore" || exit 1
common=(-e "$(yit_input provider supabase)" -e "$(yit_input project-ref $ref)" -e "$(yit_input api-url $api)"
        -e "$(yit_input poll-interval 1s)" -e "SUPABASE_ACCESS_TOKEN=$token")

yit_run_action "$YIT_IMAGE" -e "$(yit_input command window)" "${common[@]}" --
[ "$YIT_STATUS" -eq 0 ] || { echo "FAIL: window: exit $YIT_STATUS"; cat "$YIT_STDERR"; exit 1; }
yit_assert_output available true || exit 1

# A restore without the confirmation: exit 2, no restore requested.
yit_run_action "$YIT_IMAGE" -e "$(yit_input command restore)" -e "$(yit_input to '15m ago')" "${common[@]}" --
[ "$YIT_STATUS" -eq 2 ] || { echo "FAIL: unconfirmed restore: expected exit 2, got $YIT_STATUS"; exit 1; }
curl -fsS "$api/__log" | grep -q '"POST"' && { echo "FAIL: an unconfirmed restore sent a POST"; exit 1; }

yit_run_action "$YIT_IMAGE" -e "$(yit_input command restore)" -e "$(yit_input to '15m ago')" -e "$(yit_input confirm $ref)" \
  "${common[@]}" --
[ "$YIT_STATUS" -eq 0 ] || { echo "FAIL: restore: exit $YIT_STATUS"; cat "$YIT_STDERR"; exit 1; }
yit_assert_summary_contains "ACTIVE_HEALTHY" || exit 1
grep -q '^target-time=' "$YIT_OUTPUT" || { echo "FAIL: no target-time output"; exit 1; }
grep -q '^restored-at=' "$YIT_OUTPUT" || { echo "FAIL: no restored-at output"; exit 1; }
if grep -q "$token" "$YIT_SUMMARY" "$YIT_OUTPUT" || grep -v '^::add-mask::' "$YIT_STDERR" "$YIT_STDOUT" | grep -q "$token"; then
  echo "FAIL: the access token reached the logs, outputs or summary"; exit 1
fi
echo "PASS: pitr-restore image runs as a container action"
