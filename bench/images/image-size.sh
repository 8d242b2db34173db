#!/usr/bin/env bash
# The compressed size of every tool's FROM scratch image and of the umbrella image (what a registry
# stores and a runner pulls), built with docker/build-image.sh from the binaries in build/bin. Not run in CI; prints
# one Markdown row per tool and says whether it is under the goal of issue 9, item 13: 4,000,000
# bytes (decimal) compressed. Exits 1 when an image is over it.
#   bash bench/images/image-size.sh [BIN_DIR]
#   bash bench/images/image-size.sh --list     the tools it measures, one a line (nothing built)
# The tools are the folders under tools/ whose CMakeLists.txt calls yonima_tool() (the one list
# of tools, as CMake, scripts/release-version.py and tests/integration/actions/test_tool_list.py
# read it). Figures and how they moved: docs/images.md; the last run: bench/images/results.md.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
bin=${1:-${YONIMA_BIN:-$repo/build/bin}}
goal=4000000
export YONIMA_CONTAINER_ROOT=${YONIMA_CONTAINER_ROOT:-$repo/.cache/containers}

tools=()
for cmake in "$repo"/tools/*/CMakeLists.txt; do
  folder=$(basename "$(dirname "$cmake")")
  name=$(sed -nE 's/^[[:space:]]*yonima_tool\(([A-Za-z0-9_-]+)\).*/\1/p' "$cmake" | head -n 1)
  [ -n "$name" ] || continue
  [ "$name" = "$folder" ] || { echo "image-size: $cmake declares $name, folder is $folder" >&2; exit 2; }
  tools+=("$name")
done
[ ${#tools[@]} -gt 0 ] || { echo "image-size: no tools/*/CMakeLists.txt calls yonima_tool()" >&2; exit 2; }
if [ "${1:-}" = --list ]; then printf '%s\n' "${tools[@]}"; exit 0; fi

over=0
# row NAME BINARY BUILD-COMMAND...: builds the image, prints its row, notes whether it is over the goal.
row() {
  local name=$1 binary=$2 out comp verdict
  shift 2
  [ -x "$binary" ] || { echo "image-size: $binary is missing (build it first)" >&2; exit 2; }
  out=$(YONIMA_IMAGE_SIZE=1 "$@" 2>&1 >/dev/null) || { printf '%s\n' "$out" >&2; exit 2; }
  comp=$(sed -nE 's/.*size of .*: compressed ([0-9]+) bytes.*/\1/p' <<<"$out")
  [ -n "$comp" ] || { printf '%s\n' "$out" >&2; echo "image-size: no size reported for $name" >&2; exit 2; }
  if [ "$comp" -lt "$goal" ]; then verdict=yes; else verdict=NO; over=1; fi
  printf '| %s | %s | %s | %s |\n' "$name" "$(stat -c %s "$binary")" "$comp" "$verdict"
}
printf '| image | binary bytes | compressed image bytes | under 4,000,000 B |\n|---|---|---|---|\n'
for tool in "${tools[@]}"; do
  row "$tool" "$bin/$tool" bash "$repo/docker/build-image.sh" "$tool" "$bin/$tool" "localhost/yonima-bench/$tool:size"
done
# The umbrella image (root action.yml): one binary with every tool, tools/yonima-deploy.
row "yonima-deploy (umbrella)" "$bin/yonima-deploy" \
  bash "$repo/docker/build-umbrella-image.sh" "$bin" "localhost/yonima-bench/yonima-deploy:size"
exit "$over"
