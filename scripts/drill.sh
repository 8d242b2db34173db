#!/usr/bin/env bash
# The deploy drill (see scripts/drill.py and docs/workflows.md, "The drill"): builds the binaries on a
# fresh Debian 12 machine, then runs the whole plan locally: releases through
# workflows/backend-deploy.yml (automatic rollback, scan-gate refusal), a database restore before a
# bad migration, an app channel rollback; a timeline and a verdict. 127.0.0.1 only.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
[ "${DRILL_SKIP_BUILD:-0}" = 1 ] || bash "$repo/scripts/build.sh"
exec python3 "$repo/scripts/drill.py"
