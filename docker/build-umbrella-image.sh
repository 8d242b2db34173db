#!/usr/bin/env bash
# Builds the umbrella image (what release.yml publishes as ghcr.io/yonima/yonima-deploy and the root
# action.yml runs) from prebuilt, fully static binaries, with buildah: every tool that has an
# actions/<tool>/ folder, and docker/dispatch.c compiled statically as the entrypoint (it runs the
# tool named by its first argument or by INPUT_TOOL). Same Dockerfile.prebuilt as one tool's image.
#
# Usage: docker/build-umbrella-image.sh BIN_DIR [TAG]     (default TAG: localhost/yonima/yonima-deploy:dev)
# Env: YONIMA_CONTAINER_ROOT (see docker/common.sh), YONIMA_CA_BUNDLE. Prints the image name on stdout.
set -euo pipefail

log() { printf 'build-umbrella-image: %s\n' "$*" >&2; }
die() { printf 'build-umbrella-image: ERROR: %s\n' "$*" >&2; exit 1; }

[ $# -ge 1 ] && [ $# -le 2 ] || die "usage: $0 BIN_DIR [TAG]"
bin_dir=$1 tag=${2:-localhost/yonima/yonima-deploy:dev}
here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
repo=$(cd "$here/.." && pwd)
ca=${YONIMA_CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}
command -v buildah >/dev/null || die "buildah not found (run scripts/setup.sh)"
command -v gcc >/dev/null || die "gcc not found (run scripts/setup.sh)"

# shellcheck source=docker/common.sh
. "$here/common.sh"
ctx=$(mktemp -d "${TMPDIR:-/tmp}/yonima-umbrella-ctx.XXXXXX")
trap 'rm -rf "$ctx"' EXIT
mkdir -p "$ctx/bin"
for action in "$repo"/actions/*/action.yml; do
  tool=$(basename "$(dirname "$action")")
  [ -x "$bin_dir/$tool" ] || die "no binary $bin_dir/$tool (build it first)"
  case $(ldd "$bin_dir/$tool" 2>&1 || true) in
    *"not a dynamic executable"*|*"statically linked"*) ;;
    *) die "$bin_dir/$tool is not fully static" ;;
  esac
  install -m 755 "$bin_dir/$tool" "$ctx/bin/$tool"
done
gcc -static -Os -Wall -Werror -o "$ctx/bin/entrypoint" "$here/dispatch.c"
install -m 644 "$ca" "$ctx/ca-certificates.crt"
install -m 644 "$here/passwd" "$here/group" "$ctx/"
log "building $tag with $(cd "$ctx/bin" && ls | grep -v '^entrypoint$' | paste -sd' ' -)"
if ! "${buildah_cmd[@]}" bud --isolation chroot --network=host --pull=never -q --build-arg TOOL=yonima-deploy \
      -f "$here/Dockerfile.prebuilt" -t "$tag" "$ctx" >"$ctx/bud.log" 2>&1; then
  cat "$ctx/bud.log" >&2
  die "buildah bud failed for $tag"
fi
printf '%s\n' "$tag"
