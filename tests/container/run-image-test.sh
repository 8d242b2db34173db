#!/usr/bin/env bash
# Helpers for container tests of the yonima-deploy tools: build a tool's FROM scratch image from its
# static binary (docker/build-image.sh) and run it as a GitHub runner would (docker/run-action.sh),
# then assert on GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, stdout and stderr.
#
# Source it from a test:
#   . "$(dirname "$0")/run-image-test.sh"
#   yit_build_image mytool build/bin/mytool            # sets YIT_IMAGE
#   yit_run_action "$YIT_IMAGE" -e "$(yit_input url http://127.0.0.1:8080)" \
#     -e "$(yit_input max-attempts 2)" -- --verbose      # sets the YIT_* paths below
#   yit_assert_output result ok
#   yit_assert_summary_contains 'Deployed'
#
# Inputs: pass them with -e (yit_input maps an action input name to its env form, e.g. max-attempts
# -> INPUT_MAX-ATTEMPTS, which a shell cannot export); exported INPUT_* variables pass through too.
# After yit_run_action (also when the container failed):
#   YIT_STATUS        exit status of the container (also the function's return status)
#   YIT_OUTPUT        host path of the GITHUB_OUTPUT file
#   YIT_SUMMARY       host path of the GITHUB_STEP_SUMMARY file
#   YIT_STDOUT, YIT_STDERR   host files with the container's stdout / stderr (run-action's own
#                     messages are in YIT_STDERR too, prefixed "run-action:")
#   YIT_WORKSPACE     host directory mounted at /github/workspace
#   YIT_RUN_DIR       directory holding all of the above
# Settings: YIT_WORKSPACE_DIR (use this workspace instead of a fresh empty one), YIT_KEEP=1 (keep
# run directories), YONIMA_CONTAINER_ROOT (container storage, shared with the docker/ scripts).
# Every failing helper prints what happened on stderr and returns non-zero.
#
# Run directly for an ad-hoc check:  tests/container/run-image-test.sh TOOL BINARY [-- ARGS...]

YIT_REPO=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)
YIT_RUN_DIRS=()

yit_log() { printf 'yit: %s\n' "$*" >&2; }

# yit_input NAME VALUE: prints INPUT_<NAME>=VALUE the way the runner names it (uppercased, spaces
# become _, hyphens stay), ready for `-e`.
yit_input() {
  local name=${1:?usage: yit_input NAME VALUE}
  name=${name// /_}
  printf 'INPUT_%s=%s' "${name^^}" "$2"
}

# yit_build_image TOOL BINARY [TAG] -> YIT_IMAGE
yit_build_image() {
  local tool=${1:?usage: yit_build_image TOOL BINARY [TAG]} binary=${2:?usage: yit_build_image TOOL BINARY [TAG]}
  local tag=${3:-localhost/yonima-test/$1:test} out
  if ! out=$(YONIMA_IMAGE_SIZE=${YONIMA_IMAGE_SIZE:-0} "$YIT_REPO/docker/build-image.sh" "$tool" "$binary" "$tag"); then
    yit_log "building the image for $tool from $binary failed (messages above)"
    return 1
  fi
  YIT_IMAGE=$out
}

# yit_run_action IMAGE [run-action options] -- [ARGS...]; returns the container's status
yit_run_action() {
  local image=${1:?usage: yit_run_action IMAGE [options] -- [ARGS...]}
  shift
  YIT_RUN_DIR=$(mktemp -d "${TMPDIR:-/tmp}/yonima-yit.XXXXXX") || { yit_log "mktemp failed"; return 1; }
  YIT_RUN_DIRS+=("$YIT_RUN_DIR")
  if [ -n "${YIT_WORKSPACE_DIR:-}" ]; then
    YIT_WORKSPACE=$YIT_WORKSPACE_DIR
  else
    YIT_WORKSPACE=$YIT_RUN_DIR/workspace
    mkdir -p "$YIT_WORKSPACE"
  fi
  YIT_STDOUT=$YIT_RUN_DIR/stdout YIT_STDERR=$YIT_RUN_DIR/stderr
  YIT_STATUS=0
  "$YIT_REPO/docker/run-action.sh" "$image" --workspace "$YIT_WORKSPACE" \
    --runner-temp "$YIT_RUN_DIR/runner" "$@" >"$YIT_STDOUT" 2>"$YIT_STDERR" || YIT_STATUS=$?
  local f
  YIT_OUTPUT='' YIT_SUMMARY=''
  for f in "$YIT_RUN_DIR"/runner/_runner_file_commands/set_output_*; do [ -f "$f" ] && YIT_OUTPUT=$f; done
  for f in "$YIT_RUN_DIR"/runner/_runner_file_commands/step_summary_*; do [ -f "$f" ] && YIT_SUMMARY=$f; done
  if [ "$YIT_STATUS" -ne 0 ]; then
    yit_log "$image exited with status $YIT_STATUS"
    yit_dump
  elif [ -z "$YIT_OUTPUT" ] || [ -z "$YIT_SUMMARY" ]; then
    yit_log "run-action.sh did not create the file-command files under $YIT_RUN_DIR/runner"
    yit_dump
    YIT_STATUS=125
  fi
  return "$YIT_STATUS"
}

# yit_dump: prints everything about the last run (used on failures)
yit_dump() {
  {
    printf -- '--- stdout (%s)\n' "$YIT_STDOUT"; tail -n 50 "$YIT_STDOUT" 2>/dev/null
    printf -- '--- stderr (%s)\n' "$YIT_STDERR"; tail -n 50 "$YIT_STDERR" 2>/dev/null
    printf -- '--- GITHUB_OUTPUT (%s)\n' "${YIT_OUTPUT:-none}"; [ -z "${YIT_OUTPUT:-}" ] || head -c 4000 "$YIT_OUTPUT"
    printf -- '--- GITHUB_STEP_SUMMARY (%s)\n' "${YIT_SUMMARY:-none}"; [ -z "${YIT_SUMMARY:-}" ] || head -c 4000 "$YIT_SUMMARY"
    printf -- '---\n'
  } >&2
}

# yit_output NAME: prints the value of output NAME (last one wins, as on GitHub); handles both
# `name=value` and `name<<DELIM` ... `DELIM`. Returns 1 when NAME was not written.
yit_output() {
  local name=${1:?usage: yit_output NAME}
  [ -n "${YIT_OUTPUT:-}" ] && [ -f "$YIT_OUTPUT" ] || { yit_log "no GITHUB_OUTPUT file (run yit_run_action first)"; return 1; }
  awk -v want="$name" '
    BEGIN { found = 0 }
    inval { if ($0 == delim) { inval = 0; if (cur == want) { val = buf; found = 1 } } else { buf = (nl ? buf "\n" : "") $0; nl = 1 } next }
    {
      i = index($0, "<<"); j = index($0, "=")
      if (i > 0 && (j == 0 || i < j)) { cur = substr($0, 1, i - 1); delim = substr($0, i + 2); inval = 1; buf = ""; nl = 0; next }
      if (j > 0) { if (substr($0, 1, j - 1) == want) { val = substr($0, j + 1); found = 1 } }
    }
    END { if (!found) exit 1; printf "%s", val }' "$YIT_OUTPUT"
}

# yit_assert_output NAME EXPECTED
yit_assert_output() {
  local name=${1:?usage: yit_assert_output NAME EXPECTED} expected=$2 actual
  if ! actual=$(yit_output "$name"); then
    yit_log "FAIL: output '$name' was not set"; yit_dump; return 1
  fi
  if [ "$actual" != "$expected" ]; then
    yit_log "FAIL: output '$name' is '$actual', expected '$expected'"; yit_dump; return 1
  fi
}

# yit_assert_file_contains FILE TEXT (fixed string)
yit_assert_file_contains() {
  if ! grep -qF -- "$2" "$1" 2>/dev/null; then
    yit_log "FAIL: $1 does not contain '$2'"; yit_dump; return 1
  fi
}
yit_assert_summary_contains() { yit_assert_file_contains "$YIT_SUMMARY" "$1"; }
yit_assert_stdout_contains() { yit_assert_file_contains "$YIT_STDOUT" "$1"; }
yit_assert_stderr_contains() { yit_assert_file_contains "$YIT_STDERR" "$1"; }

# yit_cleanup: removes the run directories this shell created (unless YIT_KEEP=1)
yit_cleanup() {
  [ "${YIT_KEEP:-0}" = 1 ] && { yit_log "keeping ${YIT_RUN_DIRS[*]:-nothing}"; return 0; }
  local d
  for d in "${YIT_RUN_DIRS[@]}"; do rm -rf "$d"; done
  YIT_RUN_DIRS=()
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  [ $# -ge 2 ] || { echo "usage: $0 TOOL BINARY [-- ARGS...]" >&2; exit 2; }
  tool=$1 binary=$2; shift 2
  [ "${1:-}" != -- ] || shift
  yit_build_image "$tool" "$binary"
  status=0
  yit_run_action "$YIT_IMAGE" -- "$@" || status=$?
  cat "$YIT_STDOUT"
  echo "status=$status"
  echo "output=$YIT_OUTPUT"
  echo "summary=$YIT_SUMMARY"
  echo "workspace=$YIT_WORKSPACE"
  exit "$status"
fi
