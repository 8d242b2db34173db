#!/usr/bin/env bash
# Asserts that every binary given is fully static: ldd must say "not a dynamic executable".
# Run by ctest (test "static-binaries") with the path of every shipped tool.
set -uo pipefail
[ $# -gt 0 ] || { echo "check-static: no binaries given" >&2; exit 1; }
failed=0
for binary in "$@"; do
  if [ ! -x "$binary" ]; then
    echo "check-static: $binary is missing (build it first)" >&2
    failed=1
    continue
  fi
  out=$(ldd "$binary" 2>&1)
  if [[ $out == *"not a dynamic executable"* ]]; then
    echo "check-static: $(basename "$binary"): not a dynamic executable"
  else
    echo "check-static: $binary is NOT fully static; ldd says:" >&2
    printf '%s\n' "$out" >&2
    failed=1
  fi
done
exit $failed
