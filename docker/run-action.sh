#!/usr/bin/env bash
# Runs a container-action image with podman the way a GitHub runner runs `runs: using: docker`:
#   --workdir /github/workspace, the workspace mounted there, /github/home, /github/workflow
#   (event.json) and /github/file_commands mounted, GITHUB_OUTPUT / GITHUB_STEP_SUMMARY / GITHUB_ENV /
#   GITHUB_PATH / GITHUB_STATE pointing at files in /github/file_commands, GITHUB_ACTIONS=true, and
#   every INPUT_* variable of the caller's environment passed through (including names with hyphens
#   such as INPUT_MAX-ATTEMPTS, which bash cannot set but `env` can:
#   env 'INPUT_MAX-ATTEMPTS=3' docker/run-action.sh IMAGE --).
#
# Usage: docker/run-action.sh IMAGE [options] -- [args...]
# Options (before --):
#   --workspace DIR      host directory mounted at /github/workspace (default: current directory)
#   --runner-temp DIR    host directory for _github_home, _github_workflow and _runner_file_commands
#                        (default: a new directory under ${TMPDIR:-/tmp}; it is kept and printed)
#   --network host|none  (default: host). The default podman network is never used: it adds
#                        firewall chains and turns on IP forwarding on the machine.
#   --entrypoint PATH    override the image's ENTRYPOINT (like `runs.entrypoint` in action.yml)
#   -e NAME=VALUE        extra environment variable (repeatable)
#   -v HOST:CTR[:OPTS]   extra bind mount (repeatable)
# Env: YONIMA_CONTAINER_ROOT  storage shared with docker/build-image.sh (see docker/common.sh)
#
# The container's stdout/stderr pass through; the exit status is the container's. At the end the
# host paths of the output and summary files are printed on stderr as
#   run-action: GITHUB_OUTPUT=<path>  and  run-action: GITHUB_STEP_SUMMARY=<path>
set -euo pipefail

log() { printf 'run-action: %s\n' "$*" >&2; }
die() { printf 'run-action: ERROR: %s\n' "$*" >&2; exit 125; }

[ $# -ge 1 ] || die "usage: $0 IMAGE [options] -- [args...]"
image=$1; shift
here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)

workspace=$PWD runner_temp='' network=host entrypoint='' extra=()
while [ $# -gt 0 ]; do
  case $1 in
    --) shift; break ;;
    --workspace) [ $# -ge 2 ] || die "--workspace needs a value"; workspace=$2; shift 2 ;;
    --runner-temp) [ $# -ge 2 ] || die "--runner-temp needs a value"; runner_temp=$2; shift 2 ;;
    --network) [ $# -ge 2 ] || die "--network needs a value"; network=$2; shift 2 ;;
    --entrypoint) [ $# -ge 2 ] || die "--entrypoint needs a value"; entrypoint=$2; shift 2 ;;
    -e) [ $# -ge 2 ] && [[ $2 == *=* ]] || die "-e needs NAME=VALUE"; extra+=(-e "$2"); shift 2 ;;
    -v) [ $# -ge 2 ] || die "-v needs HOST:CTR"; extra+=(-v "$2"); shift 2 ;;
    *) die "unknown option '$1' (container arguments go after --)" ;;
  esac
done
case $network in
  host|none) ;;
  *) die "--network must be host or none (the default podman network changes the firewall)" ;;
esac
[ -d "$workspace" ] || die "workspace '$workspace' is not a directory"
workspace=$(cd "$workspace" && pwd)
command -v podman >/dev/null || die "podman not found (run scripts/setup.sh)"
command -v runc >/dev/null || die "runc not found (run scripts/setup.sh); crun cannot run containers here"

if [ -z "$runner_temp" ]; then
  runner_temp=$(mktemp -d "${TMPDIR:-/tmp}/yonima-runner.XXXXXX")
fi
mkdir -p "$runner_temp/_github_home" "$runner_temp/_github_workflow" "$runner_temp/_runner_file_commands"
runner_temp=$(cd "$runner_temp" && pwd)
[ -f "$runner_temp/_github_workflow/event.json" ] || printf '{}\n' >"$runner_temp/_github_workflow/event.json"

# One set of file-command files per step, named like the runner names them.
suffix=$(cat /proc/sys/kernel/random/uuid)
fc=$runner_temp/_runner_file_commands
declare -A files=([GITHUB_OUTPUT]=set_output [GITHUB_STEP_SUMMARY]=step_summary [GITHUB_ENV]=set_env
                  [GITHUB_PATH]=add_path [GITHUB_STATE]=save_state)
envs=()
for var in "${!files[@]}"; do
  name=${files[$var]}_$suffix
  : >"$fc/$name"
  envs+=(-e "$var=/github/file_commands/$name")
done

envs+=(-e HOME=/github/home -e GITHUB_WORKSPACE=/github/workspace -e GITHUB_ACTIONS=true -e CI=true
       -e GITHUB_EVENT_PATH=/github/workflow/event.json -e RUNNER_OS=Linux
       -e RUNNER_TEMP=/home/runner/work/_temp)
# Pass through the caller's INPUT_* (any name, read with env so hyphenated names survive) and its
# GITHUB_* except those naming host paths, which are replaced above.
while IFS= read -r -d '' kv; do
  name=${kv%%=*}
  case $name in
    INPUT_*) envs+=(-e "$kv") ;;
    GITHUB_OUTPUT|GITHUB_STEP_SUMMARY|GITHUB_ENV|GITHUB_PATH|GITHUB_STATE|GITHUB_WORKSPACE|\
    GITHUB_EVENT_PATH|GITHUB_ACTION_PATH|GITHUB_ACTIONS) ;;
    GITHUB_*) envs+=(-e "$kv") ;;
  esac
done < <(env -0)

# shellcheck source=docker/common.sh
. "$here/common.sh"
podman=("${podman_cmd[@]}")
exists_status=0
exists_err=$("${podman[@]}" image exists "$image" 2>&1) || exists_status=$?
if [ "$exists_status" -eq 1 ]; then
  die "image '$image' not found in $container_root/storage (build it with docker/build-image.sh, same YONIMA_CONTAINER_ROOT)"
elif [ "$exists_status" -ne 0 ]; then
  die "podman failed to look up '$image' (exit $exists_status): $exists_err"
fi

run=(run --rm --pull=never --network="$network"
     --ulimit nofile=20000:20000 --ulimit nproc=4096:4096
     --workdir /github/workspace
     -v "$workspace:/github/workspace"
     -v "$runner_temp/_github_home:/github/home"
     -v "$runner_temp/_github_workflow:/github/workflow"
     -v "$fc:/github/file_commands"
     "${envs[@]}" "${extra[@]}")
[ -z "$entrypoint" ] || run+=(--entrypoint "$entrypoint")

log "running $image $* (workspace $workspace, network $network)"
status=0
"${podman[@]}" "${run[@]}" "$image" "$@" || status=$?

log "GITHUB_OUTPUT=$fc/set_output_$suffix"
log "GITHUB_STEP_SUMMARY=$fc/step_summary_$suffix"
if [ "$status" -ne 0 ]; then
  case $status in
    125) log "podman itself failed (exit 125) before the container ran; see its message above" ;;
    126) log "the entrypoint of $image could not be executed (exit 126)" ;;
    127) log "the entrypoint of $image was not found (exit 127)" ;;
    *) log "container exited with status $status" ;;
  esac
fi
exit "$status"
