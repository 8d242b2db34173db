#!/usr/bin/env python3
"""Benchmark (not run in CI): migrate-guard's linter next to squawk 2.66 on the same files, one
process start each, best of --runs; prints wall time, CPU time (user + sys) and statements/s.

Two inputs:
- `--history` (default): a realistic Prisma history written by prisma_history.py (600 migrations,
  tables with many columns, indexes, foreign keys, required columns, enum-value removals with
  BEGIN/COMMIT, renames, data fixes; ~3,000 findings), linted as `migrate-guard lint --dir` does.
- `--corpus`: the shared corpus (tests/lint-corpus) repeated to 1,000 files with unique table names.

squawk runs with each of its reporters (json, gcc, gitlab, tty), since they differ in speed; the
ratio is against the fastest one.

    python3 bench/migrate-guard/lint_vs_squawk.py [--bin build/bin] [--migrations 600] [--runs 7] [--corpus]
"""
import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(REPO, "tests", "integration", "migrate-guard-lint"))
sys.path.insert(0, HERE)
from lint_support import CORPUS, corpus_files, ensure_squawk  # noqa: E402
import prisma_history  # noqa: E402


def corpus_copies(target_dir, count):
    sources = [open(os.path.join(CORPUS, p), encoding="utf-8").read() for _, p in corpus_files()]
    for i in range(count):
        sql = re.sub(r'"(User|Post|Article|Profile|Comment|Place)"', lambda m: '"%s%d"' % (m.group(1), i),
                     sources[i % len(sources)])
        folder = os.path.join(target_dir, "%014d_m%d" % (20250101000000 + i, i))
        os.makedirs(folder)
        with open(os.path.join(folder, "migration.sql"), "w", encoding="utf-8") as f:
            f.write(sql)
    with open(os.path.join(target_dir, "migration_lock.toml"), "w") as f:
        f.write('provider = "postgresql"\n')


def measure(runs, argv, cwd):
    """Best wall time and best CPU time (user + sys of the child) over `runs` runs."""
    wall = cpu = None
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        proc = subprocess.run(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        elapsed = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if proc.returncode not in (0, 1):
            sys.exit("%s failed with exit %d" % (argv[0], proc.returncode))
        used = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        wall = elapsed if wall is None else min(wall, elapsed)
        cpu = used if cpu is None else min(cpu, used)
    return wall, cpu


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default=os.environ.get("YONIMA_BIN", os.path.join(REPO, "build", "bin")))
    ap.add_argument("--migrations", type=int, default=600)
    ap.add_argument("--files", type=int, default=1000, help="with --corpus")
    ap.add_argument("--corpus", action="store_true", help="the repeated shared corpus instead of a realistic history")
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    args.bin = os.path.abspath(args.bin)

    work = tempfile.mkdtemp(prefix="lint-bench-")
    try:
        if args.corpus:
            corpus_copies(work, args.files)
        else:
            prisma_history.write(work, args.migrations)
        rel = sorted(os.path.join(n, "migration.sql") for n in os.listdir(work) if os.path.isdir(os.path.join(work, n)))
        binary = os.path.join(args.bin, "migrate-guard")
        ours = [binary, "lint", "--dir", work, "--json", "--quiet"]
        report = json.loads(subprocess.run(ours, capture_output=True, text=True).stdout)["lint"]
        statements = report["statements"]
        findings = sum(len(f["findings"]) for f in report["files"])
        print("%s: %d files, %d statements (PostgreSQL 15 parser), %d findings; best of %d, %d CPUs"
              % ("repeated corpus" if args.corpus else "realistic Prisma history", len(rel), statements, findings,
                 args.runs, os.cpu_count()))
        rows = [("migrate-guard lint --dir --json", measure(args.runs, ours, work))]
        squawk = ensure_squawk()
        if squawk is None:
            print("squawk: npm not installed, skipped")
        else:
            for reporter in ("json", "gcc", "gitlab", "tty"):
                argv = [squawk, "--assume-in-transaction", "--pg-version=15.0", "--reporter", reporter] + rel
                rows.append(("squawk 2.66 --reporter %s" % reporter, measure(args.runs, argv, work)))
        print("%-34s %8s %8s %12s" % ("tool", "wall s", "CPU s", "statements/s"))
        for name, (wall, cpu) in rows:
            print("%-34s %8.3f %8.3f %12.0f" % (name, wall, cpu, statements / wall))
        if len(rows) > 1:
            fastest = min(rows[1:], key=lambda r: r[1][0])
            print("migrate-guard vs fastest squawk (%s): %.2fx wall, %.2fx CPU"
                  % (fastest[0].split()[-1], fastest[1][0] / rows[0][1][0], fastest[1][1] / rows[0][1][1]))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
