"""resolve (Prisma's semantics and refusals), baselining, restore marker, dry run."""
import unittest

from mg import MigrateGuardTest, out
from yonima_test import without_masks

INIT = "CREATE TABLE users (id SERIAL PRIMARY KEY, email TEXT NOT NULL);\n"
POSTS = "CREATE TABLE posts (id SERIAL PRIMARY KEY);\n"


class ResolveTest(MigrateGuardTest):
    def fail_second(self):
        self.add("20240101000000_init", INIT)
        self.add("20240102000000_posts", "CREATE TABLE posts (id INT);\nSELECT 1/0;\n")
        self.assertExit(self.run_mg("deploy"), 4)

    def test_rolled_back_refusals(self):
        self.add("20240101000000_init", INIT)
        self.add("20240102000000_posts", POSTS)
        r = self.run_mg("resolve", "--rolled-back", "20240101000000_init")
        self.assertExit(r, 1)
        self.assertIn("P3011", out(r))
        self.assertExit(self.run_mg("deploy"), 0)
        r = self.run_mg("resolve", "--rolled-back", "20240101000000_init")
        self.assertExit(r, 1)
        self.assertIn("P3012", out(r))

    def test_applied_on_a_failed_migration(self):
        self.fail_second()
        self.q("CREATE TABLE posts (id INT)")  # the fix, applied by hand
        r = self.run_mg("resolve", "--applied", "20240102000000_posts")
        self.assertExit(r, 0)
        rows = self.pg.rows(self.db, "SELECT finished_at IS NOT NULL, rolled_back_at IS NOT NULL, applied_steps_count, "
                                     "started_at = finished_at FROM _prisma_migrations WHERE migration_name = '20240102000000_posts' "
                                     "ORDER BY started_at")
        self.assertEqual(rows, [["f", "t", "0", ""], ["t", "f", "0", "t"]])  # NULL = x is NULL
        self.assertExit(self.run_mg("status"), 0)
        r = self.run_mg("resolve", "--applied", "20240102000000_posts")
        self.assertExit(r, 1)
        self.assertIn("P3008", out(r))

    def test_resolve_needs_exactly_one_known_name(self):
        self.add("20240101000000_init", INIT)
        self.assertExit(self.run_mg("resolve"), 2)
        self.assertExit(self.run_mg("resolve", "--applied", "a", "--rolled-back", "b"), 2)
        r = self.run_mg("resolve", "--applied", "20991231000000_nope")
        self.assertExit(r, 2)
        self.assertEqual(len(r.stderr.strip().split("\n")), 1, r.stderr)

    def test_non_empty_schema_without_history_needs_baselining(self):
        self.q("CREATE TABLE users (id SERIAL PRIMARY KEY, email TEXT NOT NULL)")
        self.add("20240101000000_init", INIT)
        self.add("20240102000000_posts", POSTS)
        r = self.run_mg("deploy")
        self.assertExit(r, 1)
        self.assertIn("P3005", out(r))
        self.assertIn("resolve --applied", out(r))
        self.assertEqual(self.q("SELECT to_regclass('_prisma_migrations') IS NULL AND to_regclass('posts') IS NULL"), "t")
        self.assertExit(self.run_mg("resolve", "--applied", "20240101000000_init"), 0)
        r = self.run_mg("deploy")
        self.assertExit(r, 0)
        self.assertEqual(r.outputs["applied"], "20240102000000_posts")

    def test_restore_marker_without_superuser_has_time_but_no_name(self):
        self.q("CREATE ROLE app LOGIN PASSWORD 'app-pw-7'; GRANT ALL ON SCHEMA public TO app")
        self.add("20240101000000_init", INIT)
        r = self.run_mg("deploy", url=self.pg.url(self.db, user="app", password="app-pw-7"))
        self.assertExit(r, 0)
        self.assertRegex(r.outputs["restore-point-time"], r"^\d{4}-")
        self.assertEqual(r.outputs["restore-point-name"], "")
        # The marker is taken before the first change, on the server's clock.
        self.assertEqual(self.q("SELECT '%s'::timestamptz <= min(started_at) FROM _prisma_migrations" % r.outputs["restore-point-time"]), "t")

    def test_dry_run_prints_the_plan_and_changes_nothing(self):
        self.add("20240101000000_init", INIT)
        self.add("20240102000000_posts", POSTS)
        r = self.run_mg("deploy", "--dry-run", "--require-extension", "postgis")
        self.assertExit(r, 0)
        self.assertIn("apply 20240102000000_posts", r.summary)
        self.assertIn("create extension postgis", r.summary)
        self.assertEqual(r.outputs["would-apply"], "20240101000000_init, 20240102000000_posts")
        self.assertEqual(self.q("SELECT to_regclass('_prisma_migrations') IS NULL AND to_regclass('users') IS NULL"), "t")
        self.assertEqual(self.q("SELECT count(*) FROM pg_extension WHERE extname = 'postgis'"), "0")

    def test_prisma_schema_parameter_puts_the_ledger_there(self):
        # Unqualified names land in the URL's schema, as with Prisma (which sets search_path to it).
        self.add("20240101000000_init", "CREATE TABLE users (id INT);\n")
        r = self.run_mg("deploy", url=self.url + "?schema=app&connection_limit=1")
        self.assertExit(r, 0)
        self.assertEqual(self.q("SELECT to_regclass('app._prisma_migrations') IS NOT NULL AND to_regclass('public._prisma_migrations') IS NULL"), "t")
        self.assertEqual(self.q("SELECT to_regclass('app.users') IS NOT NULL AND to_regclass('public.users') IS NULL"), "t")
        self.assertExit(self.run_mg("status", url=self.url + "?schema=app"), 0)


class BadInputTest(MigrateGuardTest):
    def assertOneLine(self, r, code, *words):
        self.assertExit(r, code)
        lines = r.stderr.strip().split("\n")
        self.assertEqual(len(lines), 1, r.stderr)
        for w in words:
            self.assertIn(w, lines[0])

    def test_missing_dir(self):
        r = self.run_mg("status") if False else None
        from mg import mg
        r = mg("deploy", "--dir", self.dir + "/nope", env={"DATABASE_URL": self.url})
        self.assertOneLine(r, 2, "--dir", "nope")

    def test_broken_lock_file(self):
        self.add("20240101000000_init", INIT)
        with open(self.dir + "/migration_lock.toml", "w") as f:
            f.write("provider = postgresql\n")
        self.assertOneLine(self.run_mg("deploy"), 2, "migration_lock.toml")
        with open(self.dir + "/migration_lock.toml", "w") as f:
            f.write('provider = "mysql"\n')
        self.assertOneLine(self.run_mg("status"), 2, "mysql")

    def test_migration_folder_without_sql(self):
        import os
        os.mkdir(self.dir + "/20240101000000_empty")
        self.assertOneLine(self.run_mg("deploy"), 2, "20240101000000_empty", "migration.sql")

    def test_unreadable_url(self):
        self.add("20240101000000_init", INIT)
        r = self.run_mg("deploy", url="postgresql://u:topsecret@127.0.0.1:notaport/db")
        self.assertOneLine(r, 2, "URL")
        self.assertNotIn("topsecret", without_masks(r.stderr) + without_masks(r.stdout))
        from mg import mg
        r = mg("status", "--dir", self.dir, env={"DATABASE_URL": "", "PGHOST": "", "PGDATABASE": "", "PGPORT": "", "PGSERVICE": ""})
        self.assertOneLine(r, 2, "DATABASE_URL")

    def test_wrong_password_is_an_environment_error_without_leaking_it(self):
        self.add("20240101000000_init", INIT)
        r = self.run_mg("deploy", url=self.pg.url(self.db, password="wrong-Secret-99"))
        self.assertExit(r, 3)
        self.assertIn("password", out(r))
        self.assertNotIn("wrong-Secret-99", without_masks(r.stdout) + without_masks(r.stderr) + r.summary)

    def test_unreachable_database(self):
        from yonima_test import free_port
        self.add("20240101000000_init", INIT)
        r = self.run_mg("status", url="postgresql://postgres:x@127.0.0.1:%d/db" % free_port())
        self.assertExit(r, 3)
        self.assertIn("cannot connect", out(r))

    def test_pooler_urls_are_refused_before_connecting(self):
        self.add("20240101000000_init", INIT)
        for url in ["postgresql://postgres:pw@127.0.0.1:6543/postgres",
                    "postgresql://postgres.abc:pw@aws-0-eu-central-1.pooler.supabase.com:6543/postgres",
                    self.url + "?pgbouncer=true"]:
            r = self.run_mg("deploy", url=url)
            self.assertOneLine(r, 2, "pool", "direct connection")
        self.assertEqual(self.q("SELECT to_regclass('_prisma_migrations') IS NULL"), "t")


if __name__ == "__main__":
    unittest.main()
