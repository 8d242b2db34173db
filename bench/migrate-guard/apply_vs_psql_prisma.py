#!/usr/bin/env python3
"""Apply 100 small migrations to a fresh database: migrate-guard vs one psql session running every
file (the floor) vs real Prisma 6.19 `migrate deploy`. Not a test: prints figures.
Needs `bash scripts/build.sh` and, for Prisma, the cache the interop test fills (.cache/prisma6-offline).
  python3 bench/migrate-guard/apply_vs_psql_prisma.py"""
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "support"))
from postgres import PG_BIN, Postgres  # noqa: E402

BIN = os.environ.get("YONIMA_BIN", os.path.join(ROOT, "build", "bin"))
PRISMA = os.path.join(ROOT, ".cache", "prisma6-offline")
N = 100
RUNS = int(os.environ.get("BENCH_RUNS", "3"))


def write_migrations(d):
    with open(os.path.join(d, "migration_lock.toml"), "w") as f:
        f.write('provider = "postgresql"\n')
    for i in range(N):
        folder = os.path.join(d, "2026010100%04d_m%d" % (i, i))
        os.mkdir(folder)
        with open(os.path.join(folder, "migration.sql"), "w") as f:
            f.write('-- CreateTable\nCREATE TABLE "T%d" (\n    "id" SERIAL NOT NULL,\n    "name" TEXT NOT NULL,\n'
                    '    CONSTRAINT "T%d_pkey" PRIMARY KEY ("id")\n);\nCREATE INDEX "T%d_name_idx" ON "T%d"("name");\n' % (i, i, i, i))


def timed(pg, name, run):
    times = []
    for k in range(RUNS):
        db = "bench_%s_%d" % (name.replace("-", "_"), k)
        url = pg.create_database(db)
        t = time.perf_counter()
        run(url, db)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def timed_again(url, run):
    """The same deploy on a database that is already up to date: start-up, connection, checks."""
    times = []
    for _ in range(RUNS):
        t = time.perf_counter()
        run(url, None)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main():
    # Durable settings (fsync on), as a real server runs; BENCH_FSYNC=off for the fast variant.
    durable = os.environ.get("BENCH_FSYNC", "on")
    pg = Postgres(settings={"fsync": durable, "synchronous_commit": durable, "full_page_writes": durable})
    d = tempfile.mkdtemp(prefix="bench-mg-")
    write_migrations(d)
    files = sorted(os.path.join(d, m, "migration.sql") for m in os.listdir(d) if m.startswith("2026"))
    results = []
    try:
        def migrate_guard(url, db):
            subprocess.run([os.path.join(BIN, "migrate-guard"), "deploy", "--dir", d, "--skip-lint", "--quiet"],
                           env=dict(os.environ, DATABASE_URL=url), check=True)
        results.append(("migrate-guard deploy --skip-lint", timed(pg, "mg", migrate_guard)))

        def migrate_guard_linted(url, db):
            subprocess.run([os.path.join(BIN, "migrate-guard"), "deploy", "--dir", d, "--quiet",
                            "--disable-rule", "require-concurrent-index-creation"],
                           env=dict(os.environ, DATABASE_URL=url), check=True)
        results.append(("migrate-guard deploy (lint included)", timed(pg, "mglint", migrate_guard_linted)))
        results.append(("  migrate-guard, nothing to apply", timed_again(pg.url("bench_mg_0"), migrate_guard)))

        def psql(url, db):
            args = [os.path.join(PG_BIN, "psql"), "-q", "-X", "-v", "ON_ERROR_STOP=1", "-d", url]
            for f in files:
                args += ["-f", f]
            subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
        results.append(("psql, one session, -f each file", timed(pg, "psql", psql)))

        if os.path.exists(os.path.join(PRISMA, "node_modules", ".bin", "prisma")):
            def prisma(url, db):
                env = dict(os.environ, CHECKPOINT_DISABLE="1", DATABASE_URL="postgresql://dummy", MIGRATE_DATABASE_URL=url,
                           PRISMA_MIGRATIONS_PATH=d, PRISMA_SCHEMA_ENGINE_BINARY=os.path.join(PRISMA, "stub-schema-engine"))
                subprocess.run([os.path.join(PRISMA, "node_modules", ".bin", "prisma"), "migrate", "deploy", "--config",
                                os.path.join(PRISMA, "prisma.config.ts")], cwd=PRISMA, env=env, check=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            results.append(("prisma migrate deploy 6.19", timed(pg, "prisma", prisma)))
            # Start-up: a deploy with nothing left to apply (the same database again).
            results.append(("  prisma, nothing to apply", timed_again(pg.url("bench_prisma_0"), prisma)))
        else:
            results.append(("prisma migrate deploy 6.19", None))
    finally:
        pg.stop()
    print("apply %d migrations to a fresh database (median of %d, fsync %s):" % (N, RUNS, durable))
    for name, t in results:
        print("  %-34s %s" % (name, "%.2f s" % t if t is not None else "not run (run the Prisma interop test first)"))


if __name__ == "__main__":
    main()
