#!/usr/bin/env bash
# The drill's stand-in for the hosting platform: it runs the image it is handed. A deploy command
# called by workflows/backend-deploy.yml gets IMAGE_DIGEST (and IMAGE_REF, by digest); called
# without it (by hand, or by older workflows) it asks the registry, through image-promote, what
# the production tag points at. It starts the sample API for the release that digest holds.
# `deploy.sh WORKDIR`; WORKDIR/env names BIN, REGISTRY, API_PORT, REPO (default yonima/backend)
# and REGISTRY_TLS=1 when the registry speaks HTTPS (the CA comes from SSL_CERT_FILE).
set -euo pipefail
work=${1:?usage: deploy.sh WORKDIR}
here=$(cd "$(dirname "$0")" && pwd)
. "$work/env"
repo=${REPO:-yonima/backend}
digest=${IMAGE_DIGEST:-}
if [ -z "$digest" ]; then
  insecure=(--insecure-registry "$REGISTRY")
  [ "${REGISTRY_TLS:-0}" != 1 ] || insecure=()
  digest=$("$BIN/image-promote" digest "$REGISTRY/$repo:production" "${insecure[@]}" --quiet)
fi
release=$(awk -v d="$digest" '$1 == d {print $2, $3}' "$work/releases")
[ -n "$release" ] || { echo "deploy: no release known for $digest" >&2; exit 1; }
set -- $release
echo "deploy: running $digest: release $1 ($2)" >&2
"$here/sample-api.sh" start "$work" "$API_PORT" "$1" "$2"
