#!/usr/bin/env bash
# Builds the static binaries into build/bin (installing what a fresh Debian 12 machine lacks first).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
bash scripts/setup.sh
bash scripts/build-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j2
