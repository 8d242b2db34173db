"""A target inside the base backup, on PostgreSQL 15 with commits running while pg_basebackup
copies: recovery must replay past the backup's end before it may stop, so a target between the
backup's START TIME and its end fails in recovery ("requested recovery stop point is before
consistent recovery point"). The window therefore starts at the end of the backup, read from the
backup history file the server archives (STOP TIME, whole seconds: the next second), and a target
before it is refused before anything runs. Without that file the window says the end is unknown,
and a recovery that fails this way says why and what to choose instead."""
import datetime
import os
import shutil
import subprocess
import threading
import time
import unittest

from pitr import ArchivedCluster, PitrTest, out, parse_time, pitr
from postgres import PG_BIN


def label_value(text, key):
    for line in text.splitlines():
        if line.startswith(key + ": "):
            return line[len(key) + 2:]
    return None


def iso(label_time):
    # "2026-11-29 05:30:10 UTC" -> "2026-11-29T05:30:10Z"
    return label_time.replace(" UTC", "Z").replace(" ", "T")


class BackupEnd(PitrTest):
    @classmethod
    def setUpClass(cls):
        cls.c = ArchivedCluster()
        c = cls.c
        c.pg.create_database("app")
        c.pg.sql("app", "CREATE TABLE t (id serial PRIMARY KEY, v text); "
                        "INSERT INTO t (v) SELECT md5(g::text) FROM generate_series(1, 200000) g")
        # One psql session committing a row every few milliseconds all through the backup: each
        # commit is a point recovery may stop at.
        writer = subprocess.Popen([os.path.join(PG_BIN, "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "app"],
                                  stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                  env=dict(os.environ, **c.pg.env("app")))
        stop = threading.Event()
        cls.during = 0

        def feed():
            while not stop.is_set() and cls.during < 5000:
                writer.stdin.write("INSERT INTO t (v) VALUES ('pendant la sauvegarde'); SELECT pg_sleep(0.005);\n")
                writer.stdin.flush()
                cls.during += 1

        thread = threading.Thread(target=feed)
        thread.start()
        try:
            time.sleep(1.1)
            cls.base = c.base_backup()
            time.sleep(1.1)
        finally:
            stop.set()
            thread.join(timeout=60)
            writer.stdin.close()
            writer.wait(timeout=60)
        c.switch_wal()
        deadline = time.time() + 60
        cls.history = []
        while not cls.history and time.time() < deadline:
            cls.history = [f for f in os.listdir(c.archive) if f.endswith(".backup")]
            time.sleep(0.1)
        with open(os.path.join(c.archive, cls.history[0])) as f:
            text = f.read()
        cls.start_time = iso(label_value(text, "START TIME"))
        cls.stop_time = iso(label_value(text, "STOP TIME"))
        c.pg_ctl("stop", "-m", "fast")

    @classmethod
    def tearDownClass(cls):
        cls.c.stop()

    def common(self, archive=None):
        return ["--provider", "postgres", "--base-backup", self.base, "--wal-archive", archive or self.c.archive,
                "--pgdata", self.c.pgdata]

    def test_window_starts_after_the_backups_end(self):
        self.assertGreater(self.during, 5, "commits ran during the backup")
        self.assertEqual(len(self.history), 1)
        r = pitr("window", *self.common(), "--json")
        self.assertExit(r, 0)
        w = r.json()["window"]
        # STOP TIME is cut to the second: the window starts at the next one.
        self.assertEqual(parse_time(w["earliest"]), parse_time(self.stop_time) + datetime.timedelta(seconds=1))
        self.assertGreater(parse_time(w["earliest"]), parse_time(self.start_time))
        self.assertIn(self.history[0], w["earliest_source"])
        self.assertIn("STOP TIME", w["earliest_source"])

    def test_target_inside_the_backup_is_refused_before_anything_runs(self):
        before = sorted(os.listdir(self.c.root))
        r = pitr("rehearse", *self.common(), "--to", self.start_time, "--scratch-dir", self.c.root)
        self.assertExit(r, 2)
        self.assertIn("before the earliest base backup", out(r))
        self.assertIn("STOP TIME", out(r))
        self.assertEqual(before, sorted(os.listdir(self.c.root)))

    def test_the_first_moment_of_the_window_is_reached(self):
        earliest = pitr("window", *self.common(), "--json").outputs["earliest"]
        r = pitr("rehearse", *self.common(), "--to", earliest, "--scratch-dir", self.c.root,
                 "--verify-database", "app", "--verify-sql", "SELECT count(*) FROM t HAVING count(*) > 200000")
        self.assertExit(r, 0)
        self.assertEqual(r.outputs["verified"], "true")
        # A rehearsal that succeeded leaves nothing behind, not even its server log.
        self.assertEqual([f for f in os.listdir(self.c.root) if f.startswith("pitr-rehearsal")], [])

    def test_without_the_history_file_the_window_says_so_and_recovery_says_why(self):
        archive = os.path.join(self.c.root, "archive-without-history")
        shutil.copytree(self.c.archive, archive, ignore=shutil.ignore_patterns("*.backup"))
        shutil.chown(archive, "postgres", "postgres") if os.geteuid() == 0 else None
        for f in os.listdir(archive):
            shutil.chown(os.path.join(archive, f), "postgres", "postgres") if os.geteuid() == 0 else None
        try:
            r = pitr("window", *self.common(archive), "--json")
            self.assertExit(r, 0)
            self.assertTrue(any("base backup's end time is not known (no backup history file" in n
                                for n in r.json()["window"]["notes"]), r.json()["window"]["notes"])
            # START TIME is all that is known: the target passes the plan and recovery refuses it.
            r = pitr("rehearse", *self.common(archive), "--to", self.start_time, "--scratch-dir", self.c.root)
            self.assertNotEqual(r.code, 0)
            self.assertIn("before consistent recovery point", out(r))
            self.assertIn("choose a later target", out(r))
            self.assertIn("production was not touched", out(r))
            # The scratch directory is gone; the server log that says why is kept beside it.
            log = out(r).split("the scratch server log is ")[1].split()[0]
            self.assertTrue(log.endswith(".server.log"), log)
            with open(log) as f:
                self.assertIn("before consistent recovery point", f.read())
            os.remove(log)
        finally:
            shutil.rmtree(archive, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
