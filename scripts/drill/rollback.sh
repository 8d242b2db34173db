#!/usr/bin/env bash
# What health-gate's --on-failure runs in the drill: put the production tag back on the previous
# digest (from the promotion history kept in the registry) and redeploy.
set -euo pipefail
work=${1:?usage: rollback.sh WORKDIR}
here=$(cd "$(dirname "$0")" && pwd)
. "$work/env"
echo "rollback: $HEALTH_GATE_REASON" >&2
"$BIN/image-promote" rollback "$REGISTRY/yonima/backend" --tag production --insecure-registry "$REGISTRY"
"$here/deploy.sh" "$work"
