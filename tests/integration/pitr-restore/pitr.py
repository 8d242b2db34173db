"""Shared pieces of the pitr-restore integration tests: a real PostgreSQL 15 + PostGIS cluster with
WAL archiving on 127.0.0.1, base backups taken with pg_basebackup, and helpers to look at data
directories without changing them."""
import datetime
import hashlib
import os
import shutil
import subprocess
import tempfile
import time

from postgres import PG_BIN, Postgres, _as_postgres
from yonima_test import BIN, ToolTest, run_tool, without_masks

PASSWORD = "pw-Pitr-93-secret"


def pitr(*args, env=None, timeout=300):
    return run_tool("pitr-restore", *args, env=env, timeout=timeout)


def chown_pg(path):
    if os.geteuid() == 0:
        shutil.chown(path, "postgres", "postgres")


class ArchivedCluster:
    """A cluster whose archive_command copies every finished WAL segment into self.archive."""

    def __init__(self, extra=None):
        self.root = tempfile.mkdtemp(prefix="pitr-files-")
        os.chmod(self.root, 0o755)
        chown_pg(self.root)
        self.archive = os.path.join(self.root, "archive")
        os.mkdir(self.archive)
        chown_pg(self.archive)
        settings = {"wal_level": "replica", "archive_mode": "on", "archive_timeout": "0",
                    "archive_command": "'test ! -f %s/%%f && cp %%p %s/%%f'" % (self.archive, self.archive),
                    "full_page_writes": "on", "max_wal_senders": "4"}
        settings.update(extra or {})
        self.pg = Postgres(password=PASSWORD, settings=settings)
        self.pgdata = self.pg.data
        self.backups = 0

    def url(self, db="app"):
        return self.pg.url(db)

    def base_backup(self):
        self.backups += 1
        target = os.path.join(self.root, "base%d" % self.backups)
        env = dict(os.environ)
        env.update(self.pg.env())
        argv = [os.path.join(PG_BIN, "pg_basebackup"), "-D", target, "-Fp", "-X", "stream", "-c", "fast",
                "-h", self.pg.socket_dir, "-p", str(self.pg.port), "-U", "postgres"]
        r = subprocess.run((["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []) + argv,
                           capture_output=True, text=True, env=env, timeout=300)
        if r.returncode != 0:
            raise RuntimeError("pg_basebackup failed: " + r.stderr)
        return target

    def switch_wal(self):
        """Ends the current WAL segment and waits until the archiver copied it."""
        seg = self.pg.sql("postgres", "SELECT pg_walfile_name(pg_current_wal_lsn())")
        self.pg.sql("postgres", "SELECT pg_switch_wal()")
        deadline = time.time() + 60
        while time.time() < deadline:
            if os.path.exists(os.path.join(self.archive, seg)):
                return seg
            time.sleep(0.1)
        raise RuntimeError("segment %s was not archived within 60s" % seg)

    def running(self):
        return _as_postgres([os.path.join(PG_BIN, "pg_ctl"), "-D", self.pgdata, "status"]).returncode == 0

    def pg_ctl(self, *args):
        r = _as_postgres([os.path.join(PG_BIN, "pg_ctl"), "-D", self.pgdata, "-l", self.pg.log, "-w", "-t", "60", *args])
        if r.returncode != 0:
            raise RuntimeError("pg_ctl %s failed: %s" % (args, r.stderr))

    def stop(self):
        self.pg.stop()
        shutil.rmtree(self.root, ignore_errors=True)


def parse_time(iso):
    """An ISO 8601 time as the tools print it ("...Z") -> an aware datetime, to compare instants."""
    return datetime.datetime.fromisoformat(iso.replace("Z", "+00:00"))


def first_line(path):
    with open(path) as f:
        return f.readline().strip()


def tree_digest(path):
    """Every file's path, mode, owner and content hash under `path`: byte-identical or not."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(path):
        for n in sorted(filenames + dirnames):
            p = os.path.join(dirpath, n)
            st = os.lstat(p)
            h = ""
            if os.path.isfile(p) and not os.path.islink(p):
                with open(p, "rb") as f:
                    h = hashlib.sha256(f.read()).hexdigest()
            out[os.path.relpath(p, path)] = (st.st_mode, st.st_uid, h)
    return out


class PitrTest(ToolTest):
    def assertNoSecret(self, result):
        for text in (without_masks(result.stdout), without_masks(result.stderr), result.summary, repr(result.outputs)):
            self.assertNotIn(PASSWORD, text)


def out(result):
    return result.stderr + result.stdout
