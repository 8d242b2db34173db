#!/usr/bin/env python3
"""Self-managed point-in-time restore of a ~300 MB base backup + ~200 MB of WAL, in one run:
  floor        by hand: cp -a the base backup, recovery.signal, `cp` as restore_command, pg_ctl start,
               poll pg_is_in_recovery() until false
  pgbackrest   pgbackrest restore --type=time --target-action=promote, pg_ctl start, same poll
  pitr-restore pitr-restore restore --provider postgres (manifest check, space check, move aside, copy,
               carry unarchived WAL, recovery settings, start, wait, verify) with every safety step on
Each is timed from a stopped server to a promoted one that answers the check query with the
expected value. Not a test: prints figures. Needs root (pg tools run as postgres), pgbackrest and
`bash scripts/build.sh`.
  python3 bench/pitr-restore/restore_vs_floor_pgbackrest.py"""
import os
import shutil
import subprocess
import sys
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "support"))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration", "pitr-restore"))
from pitr import ArchivedCluster  # noqa: E402
from postgres import PG_BIN  # noqa: E402

BIN = os.environ.get("YONIMA_BIN", os.path.join(ROOT, "build", "bin"))
SCALE = int(os.environ.get("BENCH_SCALE", "20"))  # pgbench scale 20: ~300 MB


def as_pg(argv, **kw):
    return subprocess.run(["runuser", "-u", "postgres", "--"] + argv, capture_output=True, text=True, check=True, **kw)


def psql(c, data_port, sql, db="postgres"):
    env = dict(os.environ, PGHOST="127.0.0.1", PGPORT=str(data_port), PGUSER="postgres", PGPASSWORD=c.pg.password, PGDATABASE=db)
    r = subprocess.run([os.path.join(PG_BIN, "psql"), "-XAtq", "-c", sql], env=env, capture_output=True, text=True)
    return r.stdout.strip() if r.returncode == 0 else None


def wait_promoted(c, expected, log):
    deadline = time.time() + 900
    while time.time() < deadline:
        if psql(c, c.pg.port, "SELECT pg_is_in_recovery()") == "f":
            got = psql(c, c.pg.port, "SELECT sum(abalance) FROM pgbench_accounts", "app")
            if got != expected:
                raise RuntimeError("restored to the wrong point: sum %s, expected %s" % (got, expected))
            return
        time.sleep(0.05)
    raise RuntimeError("not promoted within 15 minutes; server log: " + open(log).read()[-2000:])


def stop(data):
    subprocess.run(["runuser", "-u", "postgres", "--", os.path.join(PG_BIN, "pg_ctl"), "-D", data, "-m", "immediate", "-w", "stop"],
                   capture_output=True)


def du(path):
    return int(subprocess.run(["du", "-sb", path], capture_output=True, text=True).stdout.split()[0])


def main():
    c = ArchivedCluster()
    try:
        run(c)
    finally:
        stop(c.pg.data)
        c.stop()


def run(c):
    conf = os.path.join(c.root, "pgbackrest.conf")
    for d in ("repo", "log", "lock", "spool"):
        os.mkdir(os.path.join(c.root, d))
        shutil.chown(os.path.join(c.root, d), "postgres", "postgres")
    with open(conf, "w") as f:
        f.write("[global]\nrepo1-path=%s/repo\nlog-path=%s/log\nlock-path=%s/lock\nspool-path=%s/spool\nlog-level-console=warn\n"
                "log-level-file=off\nstart-fast=y\nprocess-max=2\n\n[demo]\npg1-path=%s\npg1-port=%d\npg1-socket-path=%s\n"
                % (c.root, c.root, c.root, c.root, c.pgdata, c.pg.port, c.pg.socket_dir))
    os.chmod(conf, 0o644)
    # Both archives get every segment: the plain directory (floor, pitr-restore) and pgBackRest's repository.
    c.pg.sql("postgres", "ALTER SYSTEM SET archive_command = 'cp %%p %s/%%f && pgbackrest --config=%s --stanza=demo archive-push %%p'"
             % (c.archive, conf))
    c.pg.sql("postgres", "SELECT pg_reload_conf()")
    pgbr = ["pgbackrest", "--config=" + conf, "--stanza=demo"]
    as_pg(pgbr + ["stanza-create"])
    c.pg.create_database("app")
    env = dict(os.environ, PGPASSWORD=c.pg.password)
    subprocess.run([os.path.join(PG_BIN, "pgbench"), "-i", "-q", "-s", str(SCALE), "-h", "127.0.0.1", "-p", str(c.pg.port), "-U",
                    "postgres", "app"], env=env, check=True, capture_output=True)
    base = c.base_backup()
    as_pg(pgbr + ["backup", "--type=full"])
    lsn0 = c.pg.sql("postgres", "SELECT pg_current_wal_lsn()")
    # One pass over a quarter of the accounts: ~200 MB of WAL (full-page images included).
    c.pg.sql("app", "UPDATE pgbench_accounts SET abalance = abalance + 1 WHERE aid % 4 = 0", timeout=600)
    wal = int(c.pg.sql("postgres", "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '%s')" % lsn0))
    expected = c.pg.sql("app", "SELECT sum(abalance) FROM pgbench_accounts")
    target = c.pg.sql("postgres", "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')")
    pg_target = target.replace("T", " ").replace("Z", "+00")  # what recovery_target_time and pgbackrest read
    time.sleep(0.05)
    c.pg.sql("app", "UPDATE pgbench_accounts SET abalance = abalance + 1000 WHERE aid < 100")
    c.switch_wal()
    as_pg(pgbr + ["check"])
    c.pg_ctl("stop", "-m", "fast")
    production = c.pgdata + ".production"
    os.rename(c.pgdata, production)
    print("base backup %d MB, WAL to replay %d MB, target %s" % (du(base) >> 20, wal >> 20, target))
    results = {}

    # floor
    data = c.pgdata
    t = time.perf_counter()
    as_pg(["cp", "-a", base, data])
    as_pg(["sh", "-c", "printf \"restore_command = 'cp %s/%%%%f \\\"%%%%p\\\"'\\nrecovery_target_time = '%s'\\n"
                       "recovery_target_action = 'promote'\\n\" >> %s/postgresql.auto.conf && touch %s/recovery.signal"
           % (c.archive, pg_target, data, data)])
    as_pg([os.path.join(PG_BIN, "pg_ctl"), "-D", data, "-l", c.root + "/floor.log", "-W", "start"])
    wait_promoted(c, expected, c.root + "/floor.log")
    results["floor (cp + cp restore_command)"] = time.perf_counter() - t
    stop(data)
    shutil.rmtree(data)

    # pgbackrest
    os.mkdir(data, 0o700)
    shutil.chown(data, "postgres", "postgres")
    t = time.perf_counter()
    as_pg(pgbr + ["--pg1-path=" + data, "--type=time", "--target=" + pg_target, "--target-action=promote", "restore"])
    as_pg([os.path.join(PG_BIN, "pg_ctl"), "-D", data, "-l", c.root + "/pgbr.log", "-W", "start"])
    wait_promoted(c, expected, c.root + "/pgbr.log")
    results["pgbackrest restore"] = time.perf_counter() - t
    stop(data)
    shutil.rmtree(data)

    # pitr-restore, in place over a copy of the stopped production data directory
    as_pg(["cp", "-a", production, data])
    t = time.perf_counter()
    r = subprocess.run([os.path.join(BIN, "pitr-restore"), "restore", "--provider", "postgres", "--base-backup", base,
                        "--wal-archive", c.archive, "--pgdata", data, "--to", target, "--confirm", data,
                        "--database-url", c.url("app"), "--verify-sql",
                        "SELECT 1 FROM pgbench_accounts HAVING sum(abalance) = %s" % expected], capture_output=True, text=True)
    results["pitr-restore restore"] = time.perf_counter() - t
    if r.returncode != 0:
        print(r.stderr[-3000:])
        raise SystemExit("pitr-restore failed: exit %d" % r.returncode)
    stop(data)

    floor = results["floor (cp + cp restore_command)"]
    for name, secs in results.items():
        print("%-34s %6.2f s  %.2fx the floor" % (name, secs, secs / floor))


if __name__ == "__main__":
    main()
