"""Faults on a real archived cluster: the server refuses to stop, the base backup misses a file, the
WAL archive has a gap, recovery cannot reach the target, the disk fills up. Each ends with a
documented exit code, the old data directory intact and named, and nothing promoted short of the target."""
import glob
import os
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

from pitr import ArchivedCluster, PitrTest, first_line, out, pitr, tree_digest
from postgres import PG_BIN, _as_postgres


class Faults(PitrTest):
    def setUp(self):
        self.c = ArchivedCluster()
        self.c.pg.create_database("app")
        self.c.pg.sql("app", "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 20000) g")
        self.base = self.c.base_backup()
        time.sleep(1.1)  # the window starts at the backup's end rounded up to the next whole second
        self.c.pg.sql("app", "INSERT INTO t SELECT g, 'later' FROM generate_series(20001, 60000) g")
        self.c.switch_wal()
        self.c.pg.sql("app", "INSERT INTO t SELECT g, 'even later' FROM generate_series(60001, 80000) g")
        self.c.switch_wal()
        self.target = self.c.pg.sql("postgres", "SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')")
        self.c.pg.sql("app", "INSERT INTO t VALUES (0, 'after the target')")
        self.c.switch_wal()

    def tearDown(self):
        for m in getattr(self, "mounts", []):
            subprocess.run(["umount", "-l", m])
        self.c.stop()

    def args(self, *extra, base=None, archive=None, pgdata=None):
        pgdata = pgdata or self.c.pgdata
        return ["restore", "--provider", "postgres", "--base-backup", base or self.base, "--wal-archive", archive or self.c.archive,
                "--pgdata", pgdata, "--confirm", pgdata, *extra]

    def assertUntouched(self):
        self.assertTrue(self.c.running())
        self.assertEqual(glob.glob(self.c.pgdata + ".pitr-restore-*"), [])
        self.assertEqual(self.c.pg.sql("app", "SELECT count(*) FROM t"), "80001")

    def test_server_refuses_to_stop(self):
        pid = int(first_line(os.path.join(self.c.pgdata, "postmaster.pid")))
        os.kill(pid, signal.SIGSTOP)  # a postmaster that does not react to pg_ctl stop
        try:
            r = pitr(*self.args("--to", self.target, "--stop", "--stop-timeout", "3s"))
        finally:
            os.kill(pid, signal.SIGCONT)
        self.assertExit(r, 3)
        self.assertIn("stopping the server", out(r))
        self.assertIn("nothing was changed", out(r))
        # SIGCONT delivers the pending stop request; the data directory was never moved.
        self.assertEqual(glob.glob(self.c.pgdata + ".pitr-restore-*"), [])
        self.assertTrue(os.path.exists(os.path.join(self.c.pgdata, "PG_VERSION")))
        self.assertFalse(os.path.exists(os.path.join(self.c.pgdata, "recovery.signal")))

    def test_base_backup_missing_a_file(self):
        broken = os.path.join(self.c.root, "broken")
        subprocess.run(["cp", "-a", self.base, broken], check=True)
        victim = sorted(glob.glob(os.path.join(broken, "base", "*", "*")), key=os.path.getsize)[-1]
        os.unlink(victim)
        r = pitr(*self.args("--to", self.target, "--stop", base=broken))
        self.assertExit(r, 3)
        self.assertIn("does not match its manifest", out(r))
        self.assertIn(os.path.relpath(victim, broken), out(r))
        self.assertUntouched()

    def test_wal_archive_gap_before_the_target(self):
        gappy = os.path.join(self.c.root, "gappy")
        subprocess.run(["cp", "-a", self.c.archive, gappy], check=True)
        segments = sorted(f for f in os.listdir(gappy) if len(f) == 24)
        missing = segments[len(segments) // 2]
        os.unlink(os.path.join(gappy, missing))
        r = pitr(*self.args("--to", self.target, "--stop", archive=gappy))
        self.assertExit(r, 3)
        self.assertIn("gap", out(r))
        self.assertIn(missing, out(r))
        self.assertUntouched()

    def test_unreachable_target_fails_part_way_and_the_old_directory_goes_back(self):
        # A WAL location past the end of the WAL: PostgreSQL replays everything, never reaches it, and
        # refuses to promote: exit 4, the old data directory named with the way back.
        r = pitr(*self.args("--lsn", "FF/0", "--stop"))
        self.assertExit(r, 4)
        old = r.outputs["old-data-dir"]
        self.assertTrue(old.startswith(self.c.pgdata + ".pitr-restore-"))
        self.assertIn(old, out(r))
        self.assertIn("recovery ended before configured recovery target was reached", out(r))
        self.assertIn("mv " + old + " " + self.c.pgdata, out(r))
        self.assertFalse(self.c.running())
        # Follow the printed way back.
        os.rename(self.c.pgdata, self.c.pgdata + ".failed-restore")
        os.rename(old, self.c.pgdata)
        self.c.pg_ctl("start")
        self.assertEqual(self.c.pg.sql("app", "SELECT count(*) FROM t"), "80001")

    def test_lsn_outside_the_wal_at_hand_is_refused_before_anything_changes(self):
        # Stopped server: the WAL at hand ends with the newest segment (archive or old pg_wal), so a
        # target past it, or before the base backup is consistent, is refused up front (exit 2)
        # instead of failing part-way after the data directory was moved aside.
        self.c.pg_ctl("stop", "-m", "fast")
        for lsn, text in (("FF/0", "beyond the end of the WAL available"), ("0/1", "before the base backup's consistent point")):
            with self.subTest(lsn=lsn):
                r = pitr(*self.args("--lsn", lsn))
                self.assertExit(r, 2)
                self.assertIn(text, out(r))
                self.assertIn("the WAL at hand spans", out(r))
                self.assertIn("recovery window is", out(r))
                self.assertEqual(glob.glob(self.c.pgdata + ".pitr-restore-*"), [])
                self.assertFalse(os.path.exists(os.path.join(self.c.pgdata, "recovery.signal")))
        self.c.pg_ctl("start")
        self.assertUntouched()

    def mount_tmpfs(self, size_mb):
        d = tempfile.mkdtemp(prefix="pitr-tmpfs-", dir=self.c.root)
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%dm,mode=755" % size_mb, "tmpfs", d], check=True)
        self.mounts = getattr(self, "mounts", []) + [d]
        shutil.chown(d, "postgres", "postgres")
        return d

    def pgdata_on(self, mount):
        """Production's data directory, stopped, copied onto a small volume."""
        self.c.pg_ctl("stop", "-m", "fast")
        data = os.path.join(mount, "data")
        subprocess.run(["cp", "-a", self.c.pgdata, data], check=True)
        return data

    def du_mb(self, path):
        return int(subprocess.run(["du", "-sm", path], capture_output=True, text=True).stdout.split()[0])

    @unittest.skipIf(os.geteuid() != 0, "mounting a tmpfs needs root")
    def test_disk_full(self):
        base_mb = self.du_mb(self.base)
        data = self.pgdata_on(self.mount_tmpfs(1024))
        data_mb = self.du_mb(data)
        # Too small for the base backup next to the old data directory: refused before anything moves.
        mount = self.mount_tmpfs(data_mb + base_mb // 2)
        subprocess.run(["cp", "-a", data, os.path.join(mount, "data")], check=True)
        data = os.path.join(mount, "data")
        before = tree_digest(data)
        r = pitr(*self.args("--to", self.target, pgdata=data))
        self.assertExit(r, 3)
        self.assertIn("not enough space", out(r))
        self.assertEqual(tree_digest(data), before)
        # Room for the base backup, not for the WAL recovery needs after it: fails part-way, old directory kept.
        mount = self.mount_tmpfs(data_mb + base_mb + 8)
        data2 = os.path.join(mount, "data")
        subprocess.run(["cp", "-a", data, data2], check=True)
        before = tree_digest(data2)
        r = pitr(*self.args("--to", self.target, pgdata=data2), timeout=300)
        self.assertExit(r, 4)
        old = r.outputs["old-data-dir"]
        self.assertIn(old, out(r))
        self.assertEqual(tree_digest(old), before)
        _as_postgres([os.path.join(PG_BIN, "pg_ctl"), "-D", data2, "-m", "immediate", "stop"])


if __name__ == "__main__":
    unittest.main()
