#!/usr/bin/env bash
# The deploy drill (see scripts/drill.py): builds the binaries on a fresh Debian 12 machine, then
# runs the whole backend plan locally with an automatic rollback. 127.0.0.1 only.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
[ "${DRILL_SKIP_BUILD:-0}" = 1 ] || bash "$repo/scripts/build.sh"
exec python3 "$repo/scripts/drill.py"
