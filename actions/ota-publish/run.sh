#!/usr/bin/env bash
# The composite action's one step (see action.yml and docs/ota-publish.md, "Packaging"): eas-cli is
# a Node program, so ota-publish runs on the runner next to it rather than in a FROM scratch
# container. This script fetches the static ota-publish binary out of the same image the other
# tools' actions run (ghcr.io/yonima/ota-publish:v0.1.0, published by release.yml), makes sure eas-cli
# 24.8.0 is at hand for the commands that need it, and runs the binary with the INPUT_* variables
# action.yml set. Both are cached in RUNNER_TEMP for the rest of the job.
# Env (besides INPUT_*): OTA_PUBLISH_IMAGE (image to take the binary from), OTA_PUBLISH_BIN (use this
# binary instead), OTA_PUBLISH_DOCKER (the docker command; tests use podman).
set -euo pipefail

eas_cli_version=24.8.0
image=${OTA_PUBLISH_IMAGE:-ghcr.io/yonima/ota-publish:v0.1.0}
read -r -a docker <<<"${OTA_PUBLISH_DOCKER:-docker}"
cache=${RUNNER_TEMP:-${TMPDIR:-/tmp}}/yonima-ota-publish
mkdir -p "$cache"

say() { printf 'ota-publish action: %s\n' "$*" >&2; }
# Set-up failures are the environment's (exit 3, nothing changed), shown as an annotation too.
fail() {
  say "ERROR: $1"
  printf '::error title=ota-publish action::%s\n' "${1//$'\n'/ }"
  exit 3
}

bin=${OTA_PUBLISH_BIN:-}
if [ -z "$bin" ]; then
  bin=$cache/ota-publish
  if [ ! -x "$bin" ]; then
    say "taking the static binary out of $image"
    cid=$("${docker[@]}" create "$image") || fail "cannot create a container from $image (is docker available and the image public?)"
    status=0
    "${docker[@]}" cp "$cid:/usr/local/bin/ota-publish" "$bin.part" >/dev/null || status=$?
    "${docker[@]}" rm "$cid" >/dev/null 2>&1 || true
    [ "$status" -eq 0 ] || fail "the image $image holds no /usr/local/bin/ota-publish"
    chmod 755 "$bin.part"
    mv "$bin.part" "$bin"
  fi
fi

case ${INPUT_COMMAND:-} in
  publish|rollback|rollout)
    # action.yml's default is the binary's ("eas"), which GitHub always fills in: that default means
    # "eas-cli $eas_cli_version from PATH, else installed here", as an empty input does; a path or a
    # command line given by the caller is used as it is.
    if [ -z "${INPUT_EAS:-}" ] || [ "$INPUT_EAS" = eas ]; then
      if command -v eas >/dev/null 2>&1 && eas --version 2>/dev/null | grep -q "^eas-cli/$eas_cli_version "; then
        INPUT_EAS=eas
      else
        node_version=$(node --version 2>/dev/null || echo none)
        case $node_version in
          v20.18.[3-9]|v20.18.[1-9][0-9]|v20.19.*|v20.[2-9][0-9].*|v2[2-9].*|v[3-9][0-9].*) ;;
          *) fail "eas-cli $eas_cli_version needs Node ^20.18.3 or >=22 (found $node_version): add actions/setup-node with node-version 20 before this step" ;;
        esac
        if [ ! -x "$cache/eas-cli/node_modules/.bin/eas" ]; then
          say "installing eas-cli@$eas_cli_version"
          npm install --prefix "$cache/eas-cli" --no-audit --no-fund --loglevel=error "eas-cli@$eas_cli_version" >&2 ||
            fail "npm install of eas-cli@$eas_cli_version failed (npm's error is above): check the runner's access to the npm registry, or install eas-cli $eas_cli_version yourself and set the eas input"
        fi
        INPUT_EAS=$cache/eas-cli/node_modules/.bin/eas
      fi
      export INPUT_EAS
    fi
    ;;
esac
exec "$bin"
