#!/usr/bin/env bash
# The compressed size of every tool's FROM scratch image (what a registry stores and a runner
# pulls), built with docker/build-image.sh from the binaries in build/bin. Not run in CI; prints
# one line per tool and says whether it is under the 4 MB goal (issue 9, item 13).
#   bash bench/images/image-size.sh [BIN_DIR]
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
bin=${1:-${YONIMA_BIN:-$repo/build/bin}}
export YONIMA_CONTAINER_ROOT=${YONIMA_CONTAINER_ROOT:-$repo/.cache/containers}
printf '| image | binary bytes | compressed image bytes | under 4 MB |\n|---|---|---|---|\n'
for tool in health-gate image-promote migrate-guard; do
  line=$(bash "$repo/docker/build-image.sh" "$tool" "$bin/$tool" "localhost/yonima-bench/$tool:size" 2>&1 >/dev/null | grep 'size of')
  comp=$(sed -E 's/.*compressed ([0-9]+) bytes.*/\1/' <<<"$line")
  printf '| %s | %s | %s | %s |\n' "$tool" "$(stat -c %s "$bin/$tool")" "$comp" "$([ "$comp" -lt 4000000 ] && echo yes || echo NO)"
done
