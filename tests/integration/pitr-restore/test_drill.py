"""The real drill on PostgreSQL 15 + PostGIS with WAL archiving: data, a base backup, more writes,
then `migrate-guard deploy` of a migration that drops a table. `plan` lists the loss, `rehearse`
reaches the target in a scratch directory and leaves production byte-identical, and `restore
--before-migration` brings back exactly the rows as of just before the migration."""
import os
import time
import unittest

from pitr import PASSWORD, ArchivedCluster, PitrTest, first_line, out, parse_time, pitr, tree_digest
from yonima_test import run_tool

INIT = """CREATE TABLE customers (id SERIAL PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE orders (id SERIAL PRIMARY KEY, customer_id INT REFERENCES customers(id), item TEXT NOT NULL,
                     place geometry(Point, 4326));
"""
DROP = "DROP TABLE orders;\n"


SNAPSHOT = "SELECT id, customer_id, item, ST_AsText(place) FROM orders ORDER BY id"


class Drill(PitrTest):
    @classmethod
    def setUpClass(cls):
        cls.c = ArchivedCluster()
        c = cls.c
        c.pg.create_database("app")
        cls.migrations = os.path.join(c.root, "migrations")
        os.makedirs(os.path.join(cls.migrations, "20261128000000_init"))
        with open(os.path.join(cls.migrations, "migration_lock.toml"), "w") as f:
            f.write('provider = "postgresql"\n')
        with open(os.path.join(cls.migrations, "20261128000000_init", "migration.sql"), "w") as f:
            f.write(INIT)
        cls.deploy()
        c.pg.sql("app", "INSERT INTO customers (name) SELECT 'client ' || g FROM generate_series(1, 50) g")
        c.pg.sql("app", "INSERT INTO orders (customer_id, item, place) SELECT 1 + g % 50, 'commande n°' || g || ' — été', "
                        "ST_SetSRID(ST_MakePoint(2.35 + g / 1000.0, 48.85), 4326) FROM generate_series(1, 500) g")
        cls.base = c.base_backup()
        # The window starts at the backup's end, rounded up to the next whole second (its STOP TIME
        # has no fraction); a migration in the same second could only be reached by its restore point.
        time.sleep(1.1)
        # Written after the base backup: only WAL replay brings these back.
        c.pg.sql("app", "INSERT INTO orders (customer_id, item, place) SELECT 1 + g % 50, 'après la sauvegarde ' || g, "
                        "ST_SetSRID(ST_MakePoint(-1.55, 47.2 + g / 1000.0), 4326) FROM generate_series(1, 300) g")
        c.pg.sql("app", "UPDATE orders SET item = item || ' (modifiée)' WHERE id % 7 = 0")
        c.switch_wal()
        cls.snapshot = c.pg.rows("app", SNAPSHOT)
        cls.customers = c.pg.sql("app", "SELECT count(*) FROM customers")
        time.sleep(0.2)
        os.makedirs(os.path.join(cls.migrations, "20261128010000_drop_orders"))
        with open(os.path.join(cls.migrations, "20261128010000_drop_orders", "migration.sql"), "w") as f:
            f.write(DROP)
        cls.marker = cls.deploy().outputs["restore-point-name"]
        # Written after the corrupting migration: lost by the restore, as the plan says.
        c.pg.sql("app", "INSERT INTO customers (name) VALUES ('after the drop')")
        cls.started_at = c.pg.sql("app", "SELECT to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') "
                                         "FROM _prisma_migrations WHERE migration_name = '20261128010000_drop_orders'")

    @classmethod
    def deploy(cls):
        r = run_tool("migrate-guard", "deploy", "--dir", cls.migrations, "--skip-lint", "--require-extension", "postgis",
                     env={"DATABASE_URL": cls.c.url()})
        if r.code != 0:
            raise RuntimeError("migrate-guard deploy failed: %r" % r)
        return r

    @classmethod
    def tearDownClass(cls):
        cls.c.stop()

    def common(self):
        return ["--provider", "postgres", "--base-backup", self.base, "--wal-archive", self.c.archive, "--pgdata", self.c.pgdata]

    def test_0_window_lists_the_restore_points_in_the_wal(self):
        r = pitr("window", *self.common(), "--json")
        self.assertExit(r, 0)
        self.assertIn(self.marker, r.outputs["restore-points"].split("\n"))
        self.assertTrue(r.json()["window"]["available"])
        self.assertLessEqual(parse_time(r.outputs["earliest"]), parse_time(self.started_at))

    def test_1_plan_lists_the_loss_and_changes_nothing(self):
        r = pitr("plan", *self.common(), "--before-migration", "20261128010000_drop_orders", "--database-url", self.c.url(), "--json")
        self.assertExit(r, 0)
        plan = r.json()["plan"]
        # The restore point migrate-guard deploy created just before the migration, found in the WAL.
        self.assertEqual(plan["target"]["kind"], "restore-point")
        self.assertEqual(plan["target"]["name"], self.marker)
        self.assertIn("migrate-guard deploy created", plan["target"]["source"])
        self.assertIn(self.marker, [p["name"] for p in plan["window"]["restore_points"]])
        self.assertEqual(plan["migrations_lost"], ["20261128010000_drop_orders"])
        self.assertEqual(plan["confirm"], self.c.pgdata)
        self.assertTrue(any("stop the server" in s["action"] for s in plan["steps"]))
        self.assertIn("20261128010000_drop_orders", r.summary)
        # A name the WAL does not hold is refused up front, before anything is stopped or moved.
        r = pitr("plan", *self.common(), "--restore-point", "never-created")
        self.assertExit(r, 2)
        self.assertIn("not known", out(r))
        self.assertNoSecret(r)
        self.assertTrue(self.c.running())
        self.assertFalse(os.path.exists(os.path.join(self.c.pgdata, "recovery.signal")))

    def test_2_bad_inputs_change_nothing(self):
        before = sorted(os.listdir(self.c.root)), sorted(os.listdir(os.path.dirname(self.c.pgdata)))
        url = ["--database-url", self.c.url()]
        cases = [
            (["restore", "--to", "2099-01-01T00:00:00Z", "--stop", "--confirm", self.c.pgdata], 2, "in the future"),
            (["restore", "--to", "2001-01-01T00:00:00Z", "--stop", "--confirm", self.c.pgdata], 2, "before the earliest base backup"),
            (["plan", "--before-migration", "20991231000000_nope", *url], 2, "is not in _prisma_migrations"),
            (["restore", "--before-migration", "20261128010000_drop_orders", *url, "--stop"], 2, "needs --confirm " + self.c.pgdata),
            (["restore", "--before-migration", "20261128010000_drop_orders", *url, "--stop", "--confirm", "/var/lib/other"], 2,
             "does not name"),
            (["restore", "--before-migration", "20261128010000_drop_orders", "--confirm", self.c.pgdata, *url], 2, "add --stop"),
            (["restore", "--to", "5m ago", "--lsn", "0/1", "--confirm", self.c.pgdata], 2, "only one recovery target"),
            (["restore", "--before-migration", "20261128010000_drop_orders", *url, "--stop", "--confirm", self.c.pgdata,
              "--dry-run"], 0, "dry run: would restore to restore point migrate-guard-"),
            (["restore", "--before-migration", "x'; DROP TABLE orders; --", *url], 2, "is not a Prisma migration folder name"),
            (["restore", "--to", "2026-11-28 10:00:00", "--confirm", self.c.pgdata], 2, "no UTC offset"),
            (["restore", "--lsn", "zz/1", "--confirm", self.c.pgdata], 2, "not a WAL location"),
            (["plan", "--before-migration", "20261128010000_drop_orders", "--database-url",
              "postgresql://postgres:%s@127.0.0.1:1/app" % PASSWORD], 3, "cannot read _prisma_migrations"),
        ]
        for args, code, text in cases:
            with self.subTest(args=args[:3]):
                r = pitr(args[0], *self.common(), *args[1:])
                self.assertExit(r, code)
                self.assertIn(text, out(r))
                self.assertNoSecret(r)
                if code == 2:
                    self.assertIn("recovery window is", out(r)) if "earliest" in text or "future" in text else None
        self.assertTrue(self.c.running())
        self.assertEqual(before, (sorted(os.listdir(self.c.root)), sorted(os.listdir(os.path.dirname(self.c.pgdata)))))
        self.assertEqual(self.c.pg.sql("app", "SELECT count(*) FROM customers"), str(int(self.customers) + 1))

    def test_3_rehearse_reaches_the_target_and_leaves_production_byte_identical(self):
        self.c.pg_ctl("stop", "-m", "fast")
        try:
            before = tree_digest(self.c.pgdata), tree_digest(self.c.archive), tree_digest(self.base)
            r = pitr("rehearse", *self.common(), "--to", self.started_at, "--verify-database", "app",
                     "--verify-sql", "SELECT count(*) FROM orders HAVING count(*) = %d" % len(self.snapshot),
                     "--scratch-dir", self.c.root, "--json")
            self.assertExit(r, 0)
            self.assertEqual(r.outputs["verified"], "true")
            self.assertEqual(r.json()["verify"]["row"], [str(len(self.snapshot))])
            self.assertFalse(os.path.exists(r.outputs["scratch-dir"]))
            self.assertEqual(before, (tree_digest(self.c.pgdata), tree_digest(self.c.archive), tree_digest(self.base)))
            self.assertFalse([f for f in os.listdir(self.c.archive) if f.endswith(".history")])
            # A target the data does not satisfy: the rehearsal says no (exit 1), production still untouched.
            r = pitr("rehearse", *self.common(), "--to", self.started_at, "--verify-database", "app",
                     "--verify-sql", "SELECT 1 FROM customers WHERE name = 'after the drop'", "--scratch-dir", self.c.root)
            self.assertExit(r, 1)
            self.assertEqual(r.outputs["verified"], "false")
            self.assertEqual(before, (tree_digest(self.c.pgdata), tree_digest(self.c.archive), tree_digest(self.base)))
        finally:
            self.c.pg_ctl("start")

    def test_4_restore_before_migration_brings_back_exactly_the_rows(self):
        pid_before = first_line(os.path.join(self.c.pgdata, "postmaster.pid"))
        r = pitr("restore", *self.common(), "--before-migration", "20261128010000_drop_orders", "--database-url", self.c.url(),
                 "--stop", "--confirm", self.c.pgdata + "/", "--verify-sql", "SELECT count(*) FROM orders", "--json")
        self.assertExit(r, 0)
        self.assertNoSecret(r)
        old = r.outputs["old-data-dir"]
        self.assertTrue(old.startswith(self.c.pgdata + ".pitr-restore-"))
        self.assertTrue(os.path.exists(os.path.join(old, "PG_VERSION")))
        self.assertRegex(r.outputs["restored-at"], r"^\d{4}-\d\d-\d\dT")
        self.assertRegex(r.outputs["target-time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")
        self.assertLess(r.outputs["target-time"], r.outputs["restored-at"])
        self.assertRegex(r.outputs["duration"], r"\d")
        self.assertEqual(r.outputs["verified"], "true")
        self.assertIn("Timeline", r.summary)
        self.assertIn("pg_is_in_recovery() is false", r.summary)
        self.assertEqual(self.c.pg.rows("app", SNAPSHOT), self.snapshot)
        self.assertEqual(self.c.pg.sql("app", "SELECT count(*) FROM customers"), self.customers)
        self.assertEqual(self.c.pg.rows("app", "SELECT migration_name FROM _prisma_migrations"), [["20261128000000_init"]])
        self.assertEqual(self.c.pg.sql("postgres", "SELECT pg_is_in_recovery()"), "f")
        self.assertEqual(self.c.pg.sql("postgres", "SELECT timeline_id FROM pg_control_checkpoint()"), "2")
        self.assertNotEqual(first_line(os.path.join(self.c.pgdata, "postmaster.pid")), pid_before)
        # The restored server accepts writes.
        self.c.pg.sql("app", "INSERT INTO customers (name) VALUES ('written after the restore')")


if __name__ == "__main__":
    unittest.main()
