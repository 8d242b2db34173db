#!/usr/bin/env bash
# Builds the umbrella image (what release.yml publishes as ghcr.io/yonima/yonima-deploy and the root
# action.yml runs) from the prebuilt, fully static umbrella binary BIN_DIR/yonima-deploy (every tool
# in one executable, tools/yonima-deploy) with buildah: it is the entrypoint (it runs the tool named
# by its first argument or by INPUT_TOOL), and /usr/local/bin/<tool> links to it for every tool that
# has an actions/<tool>/ folder (`--entrypoint /usr/local/bin/health-gate` works as in a tool's image).
# Built by docker/build-image.sh, as one tool's image.
#
# Usage: docker/build-umbrella-image.sh BIN_DIR [TAG]     (default TAG: localhost/yonima/yonima-deploy:dev)
# Env: as docker/build-image.sh (YONIMA_IMAGE_SIZE=1 measures the compressed size; default 0 here).
# Prints the image name on stdout.
set -euo pipefail

log() { printf 'build-umbrella-image: %s\n' "$*" >&2; }
die() { printf 'build-umbrella-image: ERROR: %s\n' "$*" >&2; exit 1; }

[ $# -ge 1 ] && [ $# -le 2 ] || die "usage: $0 BIN_DIR [TAG]"
bin_dir=$1 tag=${2:-localhost/yonima/yonima-deploy:dev}
here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
repo=$(cd "$here/.." && pwd)

umbrella="$bin_dir/yonima-deploy"
[ -x "$umbrella" ] || die "no binary $umbrella (build it first: cmake --build build --target yonima-deploy)"
links=()
for action in "$repo"/actions/*/action.yml; do links+=("$(basename "$(dirname "$action")")"); done
log "building $tag: yonima-deploy, also named ${links[*]}"
# build-image.sh checks that the binary is fully static and measures the image unless YONIMA_IMAGE_SIZE=0.
YONIMA_IMAGE_LINKS="${links[*]}" YONIMA_IMAGE_SIZE=${YONIMA_IMAGE_SIZE:-0} exec "$here/build-image.sh" yonima-deploy "$umbrella" "$tag"
