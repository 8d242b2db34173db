#!/usr/bin/env bash
# The drill's stand-in for the hosting platform: it runs whatever image the environment tag points
# at. It asks the registry (through image-promote) for the tag's digest and starts the sample API
# for the release that digest holds. `deploy.sh WORKDIR`; the rollback calls it too.
set -euo pipefail
work=${1:?usage: deploy.sh WORKDIR}
here=$(cd "$(dirname "$0")" && pwd)
. "$work/env"
digest=$("$BIN/image-promote" digest "$REGISTRY/yonima/backend:production" --insecure-registry "$REGISTRY" --quiet)
release=$(awk -v d="$digest" '$1 == d {print $2, $3}' "$work/releases")
[ -n "$release" ] || { echo "deploy: no release known for $digest" >&2; exit 1; }
set -- $release
echo "deploy: production is $digest: release $1 ($2)" >&2
"$here/sample-api.sh" start "$work" "$API_PORT" "$1" "$2"
