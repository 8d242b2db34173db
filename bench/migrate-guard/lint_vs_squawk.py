#!/usr/bin/env python3
"""Benchmark (not run in CI): lint 1,000 migration files with migrate-guard's linter and with squawk
2.66, and print statements per second for each.

The files are the shared corpus (tests/lint-corpus) repeated until there are 1,000, each with a
unique table-name suffix so no two files are byte-identical. Both tools get every file in one process
start: `migrate-guard lint --dir` when the binary is built (else the lint test driver), and
`squawk FILE...`. Best of --runs runs.

    python3 bench/migrate-guard/lint_vs_squawk.py [--bin build/bin] [--files 1000] [--runs 3]
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(REPO, "tests", "integration", "migrate-guard-lint"))
from lint_support import CORPUS, corpus_files, ensure_squawk  # noqa: E402


def make_files(target_dir, count):
    sources = [open(os.path.join(CORPUS, p), encoding="utf-8").read() for _, p in corpus_files()]
    paths = []
    for i in range(count):
        sql = re.sub(r'"(User|Post|Article|Profile|Comment|Place)"', lambda m: '"%s%d"' % (m.group(1), i),
                     sources[i % len(sources)])
        folder = os.path.join(target_dir, "%014d_m%d" % (20250101000000 + i, i))
        os.makedirs(folder)
        path = os.path.join(folder, "migration.sql")
        with open(path, "w", encoding="utf-8") as f:
            f.write(sql)
        paths.append(path)
    with open(os.path.join(target_dir, "migration_lock.toml"), "w") as f:
        f.write('provider = "postgresql"\n')
    return paths


def best_of(runs, argv, cwd):
    best = None
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.run(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        elapsed = time.perf_counter() - start
        if proc.returncode not in (0, 1):
            sys.exit("%s failed with exit %d" % (argv[0], proc.returncode))
        best = elapsed if best is None else min(best, elapsed)
    return best


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default=os.environ.get("YONIMA_BIN", os.path.join(REPO, "build", "bin")))
    ap.add_argument("--files", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    args.bin = os.path.abspath(args.bin)

    work = tempfile.mkdtemp(prefix="lint-bench-")
    try:
        paths = make_files(work, args.files)
        rel = [os.path.relpath(p, work) for p in paths]
        driver = os.path.join(args.bin, "migrate-guard-lint-driver")
        count = subprocess.run([driver] + rel, cwd=work, capture_output=True, text=True)
        statements = sum(f["statements"] for f in json.loads(count.stdout))
        print("%d files, %d statements (PostgreSQL 15 parser statement count)" % (len(paths), statements))

        binary = os.path.join(args.bin, "migrate-guard")
        if os.access(binary, os.X_OK):
            ours_name, ours = "migrate-guard lint", [binary, "lint", "--dir", work, "--json", "--quiet"]
        else:
            ours_name, ours = "lint driver", [driver] + rel
        t = best_of(args.runs, ours, work)
        print("%-22s %7.3f s  %9.0f statements/s" % (ours_name, t, statements / t))
        t = best_of(args.runs, [driver] + rel, work)
        print("%-22s %7.3f s  %9.0f statements/s" % ("lint driver (library)", t, statements / t))

        squawk = ensure_squawk()
        if squawk is None:
            print("squawk: npm not installed, skipped")
        else:
            t = best_of(args.runs, [squawk, "--assume-in-transaction", "--reporter", "json"] + rel, work)
            print("%-22s %7.3f s  %9.0f statements/s" % ("squawk 2.66", t, statements / t))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
