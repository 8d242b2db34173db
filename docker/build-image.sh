#!/usr/bin/env bash
# Builds the FROM scratch image of one tool from a prebuilt, fully static binary, with buildah
# (vfs storage, chroot isolation: no container engine or daemon needed).
#
# Usage: docker/build-image.sh TOOL BINARY [TAG]
#   TOOL    tool name; the binary lands at /usr/local/bin/TOOL (ENTRYPOINT via /usr/local/bin/entrypoint)
#   BINARY  path to the static binary (e.g. build/bin/TOOL)
#   TAG     image name (default: localhost/yonima/TOOL:dev)
# Env:
#   YONIMA_CONTAINER_ROOT  storage for buildah/podman (default: <repo>/.cache/containers); use the
#                          same value for docker/run-action.sh (see docker/common.sh)
#   YONIMA_CA_BUNDLE       CA bundle to ship (default: /etc/ssl/certs/ca-certificates.crt)
#   YONIMA_IMAGE_USER      USER of the image (default 0:0, see docker/Dockerfile.prebuilt)
#   YONIMA_IMAGE_SIZE=0    skip the compressed-size measurement
#   YONIMA_IMAGE_GZIP_LEVEL  gzip level of that measurement (default 9, as the release pushes)
#   YONIMA_IMAGE_LINKS     more names for the binary in /usr/local/bin (the umbrella image's tools)
# Prints the image name on stdout; progress, sizes and errors go to stderr.
set -euo pipefail

log() { printf 'build-image: %s\n' "$*" >&2; }
die() { printf 'build-image: ERROR: %s\n' "$*" >&2; exit 1; }

[ $# -ge 2 ] && [ $# -le 3 ] || die "usage: $0 TOOL BINARY [TAG]"
tool=$1 binary=$2 tag=${3:-localhost/yonima/$1:dev}
here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
ca=${YONIMA_CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}

[[ $tool =~ ^[A-Za-z0-9][A-Za-z0-9._-]*$ ]] && [ "$tool" != entrypoint ] || die "invalid tool name '$tool'"
[ -f "$binary" ] || die "binary '$binary' does not exist"
[ -x "$binary" ] || die "binary '$binary' is not executable"
[ -f "$ca" ] || die "CA bundle '$ca' not found (install ca-certificates or set YONIMA_CA_BUNDLE)"
command -v buildah >/dev/null || die "buildah not found (run scripts/setup.sh)"
# A FROM scratch image has no dynamic loader: refuse anything that is not fully static.
ldd_out=$(ldd "$binary" 2>&1 || true)
case $ldd_out in
  *"not a dynamic executable"*|*"statically linked"*) ;;
  *) die "'$binary' is not fully static; ldd says: $ldd_out" ;;
esac

# shellcheck source=docker/common.sh
. "$here/common.sh"
buildah=("${buildah_cmd[@]}")

ctx=$(mktemp -d "${TMPDIR:-/tmp}/yonima-image-ctx.XXXXXX")
trap 'rm -rf "$ctx"' EXIT
mkdir -p "$ctx/bin"
install -m 755 "$binary" "$ctx/bin/$tool"
ln -s "$tool" "$ctx/bin/entrypoint"
for link in ${YONIMA_IMAGE_LINKS:-}; do
  [[ $link =~ ^[A-Za-z0-9][A-Za-z0-9._-]*$ ]] && [ "$link" != entrypoint ] && [ "$link" != "$tool" ] \
    || die "invalid link name '$link' in YONIMA_IMAGE_LINKS"
  ln -s "$tool" "$ctx/bin/$link"
done
install -m 644 "$ca" "$ctx/ca-certificates.crt"
install -m 644 "$here/passwd" "$here/group" "$ctx/"

log "building $tag from $binary ($(stat -c %s "$binary") bytes)"
old_id=$("${buildah[@]}" images -q --no-trunc "$tag" 2>/dev/null | head -n 1 || true)
build_args=(--build-arg "TOOL=$tool")
[ -z "${YONIMA_IMAGE_USER:-}" ] || build_args+=(--build-arg "IMAGE_USER=$YONIMA_IMAGE_USER")
if ! "${buildah[@]}" bud --isolation chroot --network=host --pull=never -q "${build_args[@]}" \
      -f "$here/Dockerfile.prebuilt" -t "$tag" "$ctx" >"$ctx/bud.log" 2>&1; then
  cat "$ctx/bud.log" >&2
  die "buildah bud failed for $tag"
fi
id=$(tail -n 1 "$ctx/bud.log")
log "built $tag (image id ${id:0:12})"
# The image this tag named before is now untagged: drop it (fails harmlessly if still tagged).
old_id=${old_id#sha256:}
if [ -n "$old_id" ] && [ "$old_id" != "$id" ]; then
  "${buildah[@]}" rmi "$old_id" >/dev/null 2>&1 || true
fi

if [ "${YONIMA_IMAGE_SIZE:-1}" != 0 ]; then
  # Compressed size = what a registry stores and a runner pulls: push to an OCI layout (gzip'd
  # layers) and add up the layer blobs named in the manifest. Level 9, as the release pushes
  # (.github/workflows/release.yml): still plain gzip for every client, and buildah's default
  # level makes a layer about 4 % larger (docs/images.md).
  "${buildah[@]}" push -q --compression-format gzip --compression-level "${YONIMA_IMAGE_GZIP_LEVEL:-9}" \
    "$tag" "oci:$ctx/oci:img" >"$ctx/push.log" 2>&1 \
    || { cat "$ctx/push.log" >&2; die "buildah push to an OCI layout failed"; }
  sizes=$(python3 - "$ctx/oci" <<'EOF'
import json, sys, os
d = sys.argv[1]
idx = json.load(open(os.path.join(d, "index.json")))
m = idx["manifests"][0]["digest"].split(":", 1)
man = json.load(open(os.path.join(d, "blobs", m[0], m[1])))
layers = man["layers"]
comp = sum(l["size"] for l in layers)
types = sorted({l["mediaType"].rsplit(".", 1)[-1] for l in layers})
print(comp, len(layers), ",".join(types))
EOF
) || die "could not read the OCI layout"
  read -r comp nlayers types <<<"$sizes"
  uncomp=$("${buildah[@]}" images --format '{{.Size}}' "$tag" 2>/dev/null | head -n 1)
  log "size of $tag: compressed $comp bytes ($((comp / 1024)) KiB, $nlayers layer(s), $types); uncompressed $uncomp"
fi
printf '%s\n' "$tag"
