"""migrate-guard deploy --supabase-project: a named restore point created through the Supabase
Management API (the local STAND-IN, supabase_standin.py) before anything migrates, which
pitr-restore --before-migration then restores to. Real PostgreSQL 15 for the migrations; a
restore point that cannot be created refuses the deploy with nothing migrated, unless the user
opts out with --allow-without-restore-point."""
import json
import os
import shutil
import tempfile
import time
import unittest

from postgres import Postgres
from yonima_test import ToolTest, run_tool, without_masks

from pitr import out, pitr
from standin import REF, TOKEN, StandIn

PASSWORD = "pw-MgSupa-71-secret"
DROP = "DROP TABLE orders;\n"


class DeployRestorePointTest(ToolTest):
    @classmethod
    def setUpClass(cls):
        cls.api = StandIn()
        cls.pg = Postgres(password=PASSWORD)

    @classmethod
    def tearDownClass(cls):
        cls.api.stop()
        cls.pg.stop()

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="mg-supabase-")
        self.dir = os.path.join(self.tmp, "migrations")
        os.mkdir(self.dir)
        with open(os.path.join(self.dir, "migration_lock.toml"), "w") as f:
            f.write('provider = "postgresql"\n')
        self.db = "t_" + self.id().split(".")[-1].lower()[:40]
        self.url = self.pg.create_database(self.db)
        # An application in use: its first migration applied (no Supabase), then a corrupting one pending.
        self.add("20261127000000_init", "CREATE TABLE orders (id int);\nINSERT INTO orders VALUES (1), (2);\n")
        r = run_tool("migrate-guard", "deploy", "--dir", self.dir, "--skip-lint", env={"DATABASE_URL": self.url})
        self.assertExit(r, 0)
        self.add("20261128000000_drop_orders", DROP)
        self.api.configure(projects={REF: {"restore_points_enabled": True}})

    def add(self, name, sql):
        os.makedirs(os.path.join(self.dir, name))
        with open(os.path.join(self.dir, name, "migration.sql"), "w") as f:
            f.write(sql)

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def deploy(self, *args, token=TOKEN):
        env = {"DATABASE_URL": self.url}
        if token is not None:
            env["SUPABASE_ACCESS_TOKEN"] = token
        r = run_tool("migrate-guard", "deploy", "--dir", self.dir, "--skip-lint", "--supabase-api-url", getattr(self, "api_url", self.api.url), *args,
                     env=env)
        for text in (r.stdout, r.stderr, r.summary, repr(r.outputs)):
            self.assertNotIn(TOKEN, without_masks(text))
            self.assertNotIn(PASSWORD, without_masks(text))
        return r

    def orders_exist(self):
        return self.pg.sql(self.db, "SELECT count(*) FROM pg_tables WHERE tablename = 'orders'") == "1"

    def posts(self):
        return [e for e in self.api.log() if e["method"] == "POST"]

    def test_restore_point_created_before_migrating_and_used_by_before_migration(self):
        r = self.deploy("--supabase-project", REF)
        self.assertExit(r, 0)
        self.assertFalse(self.orders_exist())
        name = r.outputs["supabase-restore-point"]
        self.assertRegex(name, r"^migrate-guard-\d{8}T\d{6}Z-20261128000000_drop_orders$")
        posts = self.posts()
        self.assertEqual([p["path"] for p in posts], ["/v1/projects/%s/database/backups/restore-point" % REF])
        self.assertEqual(json.loads(posts[0]["body"]), {"name": name})
        self.assertEqual(posts[0]["authorization"], "Bearer " + TOKEN)
        self.assertIn(name, r.summary)
        # The marker's time, written into the name, is the deploy's restore-point-time to the second.
        t = r.outputs["restore-point-time"]
        self.assertEqual(name[14:30], t[0:4] + t[5:7] + t[8:10] + "T" + t[11:13] + t[14:16] + t[17:19] + "Z")

        # pitr-restore finds it for --before-migration: an undo to that point, not a time.
        now = int(time.time())
        self.api.configure(projects={REF: {"restore_points_enabled": True, "restore_points": [name],
                                           "earliest": now - 86400, "latest": now}})
        p = pitr("plan", "--provider", "supabase", "--project-ref", REF, "--api-url", self.api.url,
                 "--before-migration", "20261128000000_drop_orders", "--database-url", self.url,
                 env={"SUPABASE_ACCESS_TOKEN": TOKEN})
        self.assertExit(p, 0)
        self.assertIn(name, p.outputs["target"])
        self.assertIn("20261128000000_drop_orders", p.outputs["migrations-lost"])

    def test_dry_run_lists_the_step_and_sends_nothing(self):
        r = self.deploy("--supabase-project", REF, "--dry-run", "--json")
        self.assertExit(r, 0)
        steps = json.loads(r.stdout[r.stdout.index("{"):])["plan"]["steps"]
        self.assertEqual([s["kind"] for s in steps], ["restore-marker", "supabase-restore-point", "apply-migration"])
        self.assertIn("restore point in Supabase project " + REF, r.summary)
        self.assertEqual(self.api.log(), [])
        self.assertTrue(self.orders_exist())

    def test_failure_refuses_the_deploy_with_nothing_migrated(self):
        cases = [({"restore_points_enabled": False}, TOKEN, "not enabled"),
                 ({"restore_points_enabled": True, "forbidden": True}, TOKEN, "may not manage"),
                 ({"restore_points_enabled": True}, "sbp_wrong_token_000000000000000000000000000", "ACCESS_TOKEN was refused")]
        for project, token, hint in cases:
            with self.subTest(hint=hint):
                self.api.configure(projects={REF: project})
                r = self.deploy("--supabase-project", REF, token=token)
                self.assertExit(r, 3)
                self.assertIn("deploy refused, no migration applied", out(r))
                self.assertIn(hint, out(r))
                self.assertIn("--allow-without-restore-point", out(r))
                self.assertTrue(self.orders_exist())
                self.assertEqual(self.pg.sql(self.db, "SELECT count(*) FROM _prisma_migrations"), "1")
                self.assertNotIn(token, without_masks(out(r)))

    def test_a_lost_answer_is_not_sent_again_and_the_list_decides(self):
        # The point was created but a gateway answered 502: sent once, then found in the list.
        self.api.configure(projects={REF: {"restore_points_enabled": True}}, restore_answer={"status": 502, "accept": True})
        r = self.deploy("--supabase-project", REF)
        self.assertExit(r, 0)
        self.assertEqual(len(self.posts()), 1)
        self.assertEqual(r.outputs["supabase-restore-point"], json.loads(self.posts()[0]["body"])["name"])
        self.assertTrue(any(e["method"] == "GET" and e["path"].endswith("/restore-point") for e in self.api.log()))
        self.assertFalse(self.orders_exist())

    def test_no_answer_and_not_listed_refuses_with_nothing_migrated(self):
        # Not created and no answer: refused, nothing migrated, and the message says it may appear.
        self.api.configure(projects={REF: {"restore_points_enabled": True}}, restore_answer={"reset": True, "accept": False})
        r = self.deploy("--supabase-project", REF)
        self.assertExit(r, 3)
        self.assertEqual(len(self.posts()), 1)
        self.assertIn("sent once", out(r))
        self.assertTrue(self.orders_exist())

    def test_a_few_429_are_waited_out(self):
        self.api.configure(projects={REF: {"restore_points_enabled": True}}, throttle_next=2, retry_after=1)
        r = self.deploy("--supabase-project", REF)
        self.assertExit(r, 0)
        self.assertEqual(len(self.posts()), 3)  # two 429 + Retry-After, then the point is created
        self.assertFalse(self.orders_exist())

    def test_429_storm_refuses_after_bounded_retries(self):
        self.api.configure(projects={REF: {"restore_points_enabled": True}}, throttle_next=50, retry_after=1)
        r = self.deploy("--supabase-project", REF)
        self.assertExit(r, 3)
        self.assertIn("rate-limit", out(r))
        self.assertIn("429", out(r))
        self.assertTrue(self.orders_exist())
        self.assertLessEqual(len(self.api.log()), 6)  # bounded: it gives up and says so

    def test_opt_out_migrates_with_a_warning(self):
        self.api.configure(projects={REF: {"restore_points_enabled": False}})
        r = self.deploy("--supabase-project", REF, "--allow-without-restore-point")
        self.assertExit(r, 0)
        self.assertFalse(self.orders_exist())
        self.assertEqual(r.outputs["supabase-restore-point"], "")
        self.assertIn("--allow-without-restore-point", r.stderr)
        self.assertIn("no Supabase restore point", r.summary)

    def test_unreachable_api_refuses(self):
        self.api_url = "http://127.0.0.1:9"
        r = self.deploy("--supabase-project", REF)
        self.assertExit(r, 3)
        self.assertIn("did not answer", out(r))
        self.assertTrue(self.orders_exist())

    def test_bad_inputs_send_nothing_and_touch_nothing(self):
        cases = [(("--supabase-project", "Not-A-Ref"), TOKEN, "is not a Supabase project ref"),
                 (("--supabase-project", REF), None, "SUPABASE_ACCESS_TOKEN"),
                 (("--supabase-project", REF), "", "SUPABASE_ACCESS_TOKEN"),
                 (("--allow-without-restore-point",), TOKEN, "only applies with --supabase-project"),
                 ]
        for args, token, message in cases:
            with self.subTest(args=args, token=token):
                r = self.deploy(*args, token=token)
                self.assertExit(r, 2)
                self.assertIn(message, out(r))
                self.assertEqual(len(r.stderr.strip().splitlines()), 1, r.stderr)
        self.assertEqual(self.api.log(), [])
        self.assertTrue(self.orders_exist())


if __name__ == "__main__":
    unittest.main()
