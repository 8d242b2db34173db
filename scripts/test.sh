#!/usr/bin/env bash
# Runs every test on a fresh Debian 12 machine: installs what is missing, builds the static
# binaries, runs unit, integration and container tests with ctest, then the unit tests again in a
# dynamic AddressSanitizer + UndefinedBehaviorSanitizer build and in a ThreadSanitizer build
# (sanitizers cannot link -static), and every fuzz harness for 20 s (scripts/fuzz.sh).
#   bash scripts/test.sh             everything
#   bash scripts/test.sh -L unit     only tests with that ctest label (unit, integration, container)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"

bash scripts/build.sh

# Every stage runs even when an earlier one failed, so one CI run shows every failure; the exit
# status is non-zero when any stage failed, and the last line names them.
failed=()
stage() {
  local name=$1; shift
  echo "test: $name" >&2
  if ! "$@"; then failed+=("$name"); echo "test: FAILED: $name" >&2; fi
}
asan_units() {
  cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DYONIMA_SANITIZE=ON -DYONIMA_DEPS_PREFIX="${YONIMA_DEPS_PREFIX:-$repo/.deps/prefix}" >/dev/null &&
  cmake --build build-asan -j2 --target unit-tests &&
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ./build-asan/bin/unit-tests --minimal
}
# Worker threads share a registry session (image-promote's blob copy): a data race fails the run.
tsan_units() {
  cmake -S . -B build-tsan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DYONIMA_TSAN=ON -DYONIMA_DEPS_PREFIX="${YONIMA_DEPS_PREFIX:-$repo/.deps/prefix}" >/dev/null &&
  cmake --build build-tsan -j2 --target unit-tests &&
  TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" ./build-tsan/bin/unit-tests --minimal
}

# Tests start PostgreSQL clusters, registries and HTTP services of their own on 127.0.0.1; ctest
# runs them one at a time (2 cores) with a per-test limit so a hang cannot eat the CI budget.
stage "ctest $*" ctest --test-dir build --output-on-failure --timeout 900 "$@"

if [ $# -eq 0 ]; then
  stage "unit tests under AddressSanitizer + UndefinedBehaviorSanitizer" asan_units
  stage "unit tests under ThreadSanitizer" tsan_units
  # Every parser of untrusted input under libFuzzer from its committed corpus, 20 s each with a
  # fixed seed (docs/fuzzing.md); a crash fails the run and names its reproducer.
  stage "fuzz harnesses (scripts/fuzz.sh, 20 s each)" bash scripts/fuzz.sh --time 20
fi

if [ ${#failed[@]} -gt 0 ]; then
  printf 'test: %d stage(s) failed: %s\n' "${#failed[@]}" "$(IFS=';'; echo "${failed[*]}")" >&2
  exit 1
fi
echo "test: every stage passed" >&2
