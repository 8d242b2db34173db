#!/usr/bin/env bash
# ota-publish ships two ways (docs/ota-publish.md, "Packaging"):
#  1. its FROM scratch image, run as a container action would be: check-config and plan need no
#     eas-cli, so the image alone serves them (docker run ... ota-publish check-config);
#  2. the composite action (actions/ota-publish/run.sh): the static binary taken out of that image
#     (podman standing in for the runner's docker), eas found on PATH (here the eas STAND-IN,
#     tests/integration/ota-publish/eas_standin.py), INPUT_* as action.yml sets them.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/run-image-test.sh"
BIN=${YONIMA_BIN:-$YIT_REPO/build/bin}
fixtures=$YIT_REPO/tests/integration/ota-publish/fixtures/eas-json
work=$(mktemp -d)
trap 'rm -rf "$work"; yit_cleanup' EXIT

YONIMA_IMAGE_SIZE=1 yit_build_image ota-publish "$BIN/ota-publish" || exit 1

# 1. The image as a container action: check-config over a workspace, findings as annotations.
mkdir -p "$work/ws-good" "$work/ws-shared"
cp "$fixtures/good/eas.json" "$fixtures/good/app.json" "$work/ws-good/"
cp "$fixtures/shared-channel/eas.json" "$fixtures/shared-channel/app.json" "$work/ws-shared/"
YIT_WORKSPACE_DIR=$work/ws-good yit_run_action "$YIT_IMAGE" -e "$(yit_input command check-config)" --
[ "$YIT_STATUS" -eq 0 ] || { echo "FAIL: check-config of a good eas.json: exit $YIT_STATUS"; exit 1; }
yit_assert_output errors 0 || exit 1
YIT_WORKSPACE_DIR=$work/ws-shared yit_run_action "$YIT_IMAGE" -e "$(yit_input command check-config)" --
[ "$YIT_STATUS" -eq 1 ] || { echo "FAIL: check-config of a shared channel: expected exit 1, got $YIT_STATUS"; exit 1; }
yit_assert_stdout_contains "::error file=eas.json,line=7,title=ota-publish check-config%3A shared-channel::" || exit 1
yit_assert_summary_contains "shared-channel" || exit 1

yit_run_action "$YIT_IMAGE" -e "$(yit_input command plan)" -e GITHUB_REF=refs/tags/v1.5.0 --
[ "$YIT_STATUS" -eq 0 ] || { echo "FAIL: plan: exit $YIT_STATUS"; exit 1; }
yit_assert_output action release || exit 1
yit_assert_output version 1.5.0 || exit 1

# Start-up of the binary inside the container (the eas-less commands), for the docs.
start=$(date +%s%N)
yit_run_action "$YIT_IMAGE" -e "$(yit_input command plan)" -e GITHUB_REF=refs/heads/main -- >/dev/null 2>&1
echo "ota-publish image: plan in a container (podman run, incl. container set-up) took $(( ($(date +%s%N) - start) / 1000000 )) ms"

# 2. The composite action's script: binary from the image, eas from PATH, outputs to GITHUB_OUTPUT.
. "$YIT_REPO/docker/common.sh"
mkdir -p "$work/bin" "$work/runner-temp" "$work/app"
cp "$YIT_REPO/tests/integration/ota-publish/eas_standin.py" "$work/bin/eas"
chmod +x "$work/bin/eas"
cp "$fixtures/good/eas.json" "$fixtures/good/app.json" "$work/app/"
PYTHONPATH=$YIT_REPO/tests/integration/ota-publish python3 -c '
import json, sys, ota_fixture as f
json.dump(f.state_with(f.group("1.4.1"), f.group("1.4.0")), open(sys.argv[1], "w"))' "$work/state.json"
: >"$work/output"; : >"$work/summary"
status=0
env -i PATH="$work/bin:$PATH" HOME="$work" RUNNER_TEMP="$work/runner-temp" GITHUB_ACTIONS=true CI=true \
  GITHUB_OUTPUT="$work/output" GITHUB_STEP_SUMMARY="$work/summary" \
  OTA_STANDIN_STATE="$work/state.json" OTA_STANDIN_LOG="$work/calls.jsonl" \
  OTA_PUBLISH_IMAGE="$YIT_IMAGE" OTA_PUBLISH_DOCKER="${podman_cmd[*]}" EXPO_TOKEN=not-a-real-token-xyz \
  INPUT_COMMAND=publish INPUT_CHANNEL=preview INPUT_MESSAGE="from the composite action" "INPUT_PROJECT-DIR=$work/app" \
  "$YIT_REPO/actions/ota-publish/run.sh" >"$work/stdout" 2>"$work/stderr" || status=$?
if [ "$status" -ne 0 ]; then
  echo "FAIL: composite action run.sh publish: exit $status"; cat "$work/stdout" "$work/stderr"; exit 1
fi
[ -x "$work/runner-temp/yonima-ota-publish/ota-publish" ] || { echo "FAIL: the binary was not taken out of the image"; exit 1; }
grep -q '^group-id=' "$work/output" || { echo "FAIL: no group-id output"; cat "$work/output"; exit 1; }
grep -q '"expo_token": "not-a-real-token-xyz"' "$work/calls.jsonl" || { echo "FAIL: eas did not get EXPO_TOKEN"; exit 1; }
if grep -q 'not-a-real-token-xyz' "$work/output" "$work/summary" || grep -v '^::add-mask::' "$work/stdout" "$work/stderr" | grep -q 'not-a-real-token-xyz'; then
  echo "FAIL: the token was printed"; exit 1
fi
# No eas-cli 24.8 on PATH and no Node that can run it: exit 3 (nothing changed) with an annotation
# saying what to add, before anything is installed or run.
mkdir -p "$work/nonode"
printf '#!/bin/sh\necho v18.20.4\n' >"$work/nonode/node"
chmod +x "$work/nonode/node"
status=0
env -i PATH="$work/nonode:/usr/bin:/bin" HOME="$work" RUNNER_TEMP="$work/runner-temp" GITHUB_ACTIONS=true \
  OTA_PUBLISH_BIN="$work/runner-temp/yonima-ota-publish/ota-publish" INPUT_COMMAND=rollback INPUT_CHANNEL=production \
  "$YIT_REPO/actions/ota-publish/run.sh" >"$work/stdout" 2>"$work/stderr" || status=$?
[ "$status" -eq 3 ] || { echo "FAIL: run.sh with Node 18: expected exit 3, got $status"; cat "$work/stdout" "$work/stderr"; exit 1; }
grep -q '^::error title=ota-publish action::eas-cli 24.8.0 needs Node ^20.18.3 or >=22 (found v18.20.4): add actions/setup-node' "$work/stdout" ||
  { echo "FAIL: run.sh with Node 18: no annotation saying what to do"; cat "$work/stdout"; exit 1; }
echo "PASS: ota-publish image (check-config, plan) and composite action (publish via eas on PATH; Node too old)"
