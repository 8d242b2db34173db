#!/usr/bin/env bash
# image-promote's FROM scratch image, run exactly as a GitHub runner runs a container action
# (INPUT_* variables, output and summary files mounted), against a docker-registry on 127.0.0.1
# (the container shares the host network).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/run-image-test.sh"
BIN=${YONIMA_BIN:-$YIT_REPO/build/bin}

# A registry with one multi-platform image; the helper prints "HOST DIGEST" and runs until its
# stdin closes.
info=$(mktemp)
exec 3> >(PYTHONPATH="$YIT_REPO/tests/support" python3 -c '
import sys
from registry import ImageBuilder, Registry
reg, img = Registry(), ImageBuilder()
try:
    d = img.push(img.multi("m", "container-test"), reg.host, "yonima/backend", "sha-1")
    print(reg.host, d, flush=True)
    sys.stdin.read()
finally:
    reg.stop(); img.cleanup()
' > "$info")
trap 'exec 3>&-; yit_cleanup' EXIT
for _ in $(seq 1 100); do [ -s "$info" ] && break; sleep 0.1; done
read -r host digest < "$info"
[ -n "${digest:-}" ] || { echo "FAIL: registry helper did not start"; exit 1; }

yit_build_image image-promote "$BIN/image-promote" || exit 1

yit_run_action "$YIT_IMAGE" -e "$(yit_input command promote)" -e "$(yit_input source "$host/yonima/backend@$digest")" \
  -e "$(yit_input to production)" -e "$(yit_input insecure-registry "$host")" \
  -e GITHUB_SERVER_URL=https://github.com -e GITHUB_REPOSITORY=yonima/backend -e GITHUB_RUN_ID=99 --
[ "$YIT_STATUS" -eq 0 ] || { echo "FAIL: promote: exit $YIT_STATUS"; cat "$YIT_STDERR" "$YIT_STDOUT"; exit 1; }
yit_assert_output digest "$digest" || exit 1
yit_assert_output platforms "linux/amd64,linux/arm64" || exit 1
yit_assert_summary_contains "production" || exit 1

yit_run_action "$YIT_IMAGE" -e "$(yit_input command history)" -e "$(yit_input repository "$host/yonima/backend")" \
  -e "$(yit_input tag production)" -e "$(yit_input insecure-registry "$host")" --
[ "$YIT_STATUS" -eq 0 ] || { echo "FAIL: history: exit $YIT_STATUS"; cat "$YIT_STDERR"; exit 1; }
yit_assert_summary_contains "https://github.com/yonima/backend/actions/runs/99" || exit 1

# Loopback is not plain HTTP unless the input says so: exit 3 with a hint, nothing changed.
yit_run_action "$YIT_IMAGE" -e "$(yit_input command digest)" -e "$(yit_input image "$host/yonima/backend:sha-1")" \
  -e "$(yit_input retries 1)" --
[ "$YIT_STATUS" -eq 3 ] || { echo "FAIL: https to a plain registry: expected exit 3, got $YIT_STATUS"; exit 1; }
yit_assert_stderr_contains "--insecure-registry" || exit 1

# A usage error inside the container: exit 2, one line.
yit_run_action "$YIT_IMAGE" -e "$(yit_input command promote)" -e "$(yit_input source "$host/yonima/backend:sha-1")" \
  -e "$(yit_input to production)" --
[ "$YIT_STATUS" -eq 2 ] || { echo "FAIL: tag source: expected exit 2, got $YIT_STATUS"; exit 1; }
echo "PASS: image-promote image runs as a container action"
