#!/usr/bin/env bash
# Builds the libFuzzer harnesses of tests/fuzz (clang, ASan + UBSan, dynamic: build-fuzz/) and runs
# each from its committed corpus (tests/fuzz/corpus/<harness>/) — docs/fuzzing.md.
#   bash scripts/fuzz.sh                    every harness for 20 s, seed 1 (CI; scripts/test.sh runs this)
#   bash scripts/fuzz.sh --time 60          every harness for 60 s
#   bash scripts/fuzz.sh --long 10000000    every harness for 10 M executions, random seed (hours; nice'd)
#   bash scripts/fuzz.sh --seed N           libFuzzer's -seed (0 = random)
#   bash scripts/fuzz.sh [opts] NAME...     only these harnesses (reference_fuzz, lint_sql_fuzz ...)
# Timed runs use a fixed seed: a fresh clone then explores the same inputs in the same order, so CI
# is red only for what a run here, given at least as long, would find too; --long explores at random.
# New inputs found go to build-fuzz/corpus/<harness>/ (the committed corpus is only read). A crash,
# leak, timeout or out-of-memory fails the run and names the reproducer; replay it with
#   build-fuzz/bin/<harness> <reproducer>
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"

seconds=20
runs=
seed=
names=()
while [ $# -gt 0 ]; do
  case "$1" in
    --time) seconds=$2; shift 2 ;;
    --long) runs=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    -*) echo "fuzz.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) names+=("$1"); shift ;;
  esac
done

if ! command -v clang++ >/dev/null; then
  echo "fuzz.sh: clang++ not found: run scripts/setup.sh (it installs clang and lld)" >&2
  exit 3
fi
deps=${YONIMA_DEPS_PREFIX:-$repo/.deps/prefix}
build=${YONIMA_FUZZ_BUILD:-$repo/build-fuzz}
CC=clang CXX=clang++ cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DYONIMA_FUZZ=ON \
  -DYONIMA_TESTS=OFF -DYONIMA_DEPS_PREFIX="$deps" >/dev/null
cmake --build "$build" -j2 --target fuzzers

if [ ${#names[@]} -eq 0 ]; then
  for src in tests/fuzz/*_fuzz.cpp; do names+=("$(basename "$src" .cpp)"); done
fi

failed=()
for name in "${names[@]}"; do
  bin="$build/bin/$name"
  if [ ! -x "$bin" ]; then echo "fuzz.sh: no harness $name (tests/fuzz/$name.cpp)" >&2; exit 2; fi
  seeds="tests/fuzz/corpus/$name"
  work="$build/corpus/$name"
  artifacts="$build/crashes/$name/"
  mkdir -p "$work" "$artifacts" "$seeds"
  # Bounded: -max_total_time (or -runs), 10 s per input, 2 GB RSS; leaks count (ASan's LeakSanitizer).
  limit=(-max_total_time="$seconds")
  [ -n "$runs" ] && limit=(-runs="$runs")
  limit+=(-seed="${seed:-$([ -n "$runs" ] && echo 0 || echo 1)}")
  log="$build/crashes/$name.log"
  echo "fuzz: $name ($([ -n "$runs" ] && echo "$runs runs" || echo "$seconds s"), seed ${limit[-1]#-seed=})" >&2
  if ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
     "$bin" "${limit[@]}" -timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
            -artifact_prefix="$artifacts" "$work" "$seeds" >"$log" 2>&1; then
    grep -E '^stat::number_of_executed_units|^#[0-9]+.*DONE' "$log" | tail -2 | sed "s/^/  $name: /" >&2
  else
    repro=$(grep -oE "Test unit written to [^ ]+" "$log" | tail -1 | sed 's/Test unit written to //')
    echo "fuzz: $name FAILED; reproducer: ${repro:-none written} (log $log; replay: $bin ${repro:-<input>})" >&2
    grep -E 'ERROR: |fuzz invariant failed|SUMMARY' "$log" | head -5 | sed 's/^/  /' >&2
    failed+=("$name")
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: ${#failed[@]} harness(es) failed: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz: ${#names[@]} harness(es) ran without a crash, leak or timeout" >&2
