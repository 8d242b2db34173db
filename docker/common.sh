# shellcheck shell=bash
# Sourced by docker/build-image.sh and docker/run-action.sh: one container store shared by buildah
# and podman (vfs driver; the only combination that works on machines like this one).
#   YONIMA_CONTAINER_ROOT     image/container storage (default: <repo>/.cache/containers)
#   YONIMA_CONTAINER_RUNROOT  runtime state (locks, mounts); podman refuses a runroot longer than
#                             50 characters, so the default is a short per-store directory in /tmp.
# Defines: container_root, container_runroot, buildah_cmd (array), podman_cmd (array).
# shellcheck disable=SC2034  # the arrays are used by the scripts that source this file
container_root=${YONIMA_CONTAINER_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.cache/containers}
mkdir -p "$container_root/storage"
container_root=$(cd "$container_root" && pwd)
container_runroot=${YONIMA_CONTAINER_RUNROOT:-/tmp/yonima-cr-$(printf '%s' "$container_root" | sha256sum | cut -c1-12)}
if [ ${#container_runroot} -gt 40 ]; then
  printf '%s: ERROR: runroot %s is too long for podman (set YONIMA_CONTAINER_RUNROOT to a short path)\n' \
    "$(basename "$0")" "$container_runroot" >&2
  exit 125
fi
(umask 077 && mkdir -p "$container_runroot/run" "$container_runroot/tmp")
buildah_cmd=(buildah --storage-driver vfs --root "$container_root/storage" --runroot "$container_runroot/run")
podman_cmd=(podman --storage-driver vfs --root "$container_root/storage" --runroot "$container_runroot/run"
            --tmpdir "$container_runroot/tmp" --runtime runc --cgroup-manager cgroupfs --events-backend file)
