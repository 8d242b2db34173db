#!/usr/bin/env bash
# Builds the static binaries into build/bin (installing what a fresh Debian 12 machine lacks first).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
bash scripts/setup.sh
# YONIMA_DEPS_PREFIX lets several checkouts (git worktrees) share one static curl/libpq build.
deps=${YONIMA_DEPS_PREFIX:-$repo/.deps/prefix}
bash scripts/build-deps.sh "$deps"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DYONIMA_DEPS_PREFIX="$deps" >/dev/null
cmake --build build -j2
