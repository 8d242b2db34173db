"""Field findings (issue 9) against a real PostgreSQL 15: deploy judges lint findings against the
live target (item 4), Prisma's datasource variables (7), URLs that would leak a password or name
another provider (8, 9), integrity of what is applied (23), validation gaps (24), and --dry-run
printing the plan (issue 8)."""
import json
import os
import unittest

from mg import MigrateGuardTest, PASSWORD, mg, out
from yonima_test import without_masks

INIT = "CREATE TABLE users (id SERIAL PRIMARY KEY, email TEXT NOT NULL);\n"
INDEX = "CREATE INDEX users_email ON users(email);\n"


def json_of(result):
    return json.loads(result.stdout[result.stdout.index("{"):])


class LiveJudgementTest(MigrateGuardTest):
    """Item 4: a finding on a table that is new in this run, or empty, or small, does not block."""

    def test_table_created_by_a_pending_migration_of_the_same_run_is_not_blocking(self):
        self.add("20240101000000_init", INIT)
        self.add("20240102000000_idx", INDEX)
        r = self.run_mg("deploy", lint=True)
        self.assertExit(r, 0)
        self.assertEqual(r.outputs["applied"], "20240101000000_init, 20240102000000_idx")
        self.assertIn("table `public.users` is new", out(r) + r.summary)
        self.assertIn("not blocking", out(r) + r.summary)
        # lint, without a database, stays strict
        self.assertExit(mg("lint", "--dir", self.dir), 1)

    def test_existing_empty_table_is_not_blocking_but_a_table_with_rows_is(self):
        self.add("20240101000000_init", INIT)
        self.assertExit(self.run_mg("deploy", lint=True), 0)
        self.add("20240102000000_idx", INDEX)
        r = self.run_mg("deploy", "--dry-run", lint=True)
        self.assertExit(r, 0)
        self.assertIn("table `public.users` has 0 rows: not blocking", out(r) + r.summary)
        r = self.run_mg("deploy", "--dry-run", "--json", lint=True)
        self.assertEqual(len(json_of(r)["plan"]["not_blocking"]), 1)
        self.q("INSERT INTO users (email) SELECT 'u' || g || '@example.com' FROM generate_series(1, 50) g")
        r = self.run_mg("deploy", lint=True)
        self.assertExit(r, 1)
        self.assertEqual(r.outputs["refused"], "true")
        self.assertIn("require-concurrent-index-creation", out(r))
        r = self.run_mg("deploy", "--small-table-rows", "100", lint=True)
        self.assertExit(r, 0)
        self.assertIn("has fewer than 100 rows: not blocking", out(r) + r.summary)
        self.assertEqual(r.outputs["applied"], "20240102000000_idx")

    def test_small_table_rows_must_be_a_number(self):
        self.add("20240101000000_init", INIT)
        r = self.run_mg("deploy", "--small-table-rows", "lots", lint=True)
        self.assertExit(r, 2)


class DatasourceTest(MigrateGuardTest):
    """Item 7: Prisma's directUrl / DIRECT_URL is what migrations use; the tool says which it used."""

    def pooled(self):
        return "postgresql://postgres:%s@127.0.0.1:6543/%s" % (PASSWORD, self.db)

    def test_direct_url_is_preferred_over_a_pooled_database_url(self):
        self.add("20240101000000_init", INIT)
        r = mg("deploy", "--dir", self.dir, "--skip-lint", env={"DATABASE_URL": self.pooled(), "DIRECT_URL": self.url})
        self.assertExit(r, 0)
        self.assertIn("DIRECT_URL", out(r))
        self.assertNoSecret(r)

    def test_schema_prisma_datasource_names_the_variables(self):
        prisma = os.path.join(self.tmp, "prisma")
        os.rename(self.dir, os.path.join(self.tmp, "migrations-moved"))
        os.mkdir(prisma)
        self.dir = os.path.join(prisma, "migrations")
        os.rename(os.path.join(self.tmp, "migrations-moved"), self.dir)
        with open(os.path.join(prisma, "schema.prisma"), "w") as f:
            f.write('generator client {\n  provider = "prisma-client-js"\n}\n\n'
                    'datasource db {\n  provider  = "postgresql"\n  url       = env("APP_DB_URL") // pooled\n'
                    '  directUrl = env("MIGRATIONS_DB_URL")\n}\n')
        self.add("20240101000000_init", INIT)
        env = {"DATABASE_URL": "", "APP_DB_URL": self.pooled(), "MIGRATIONS_DB_URL": self.url, "DIRECT_URL": ""}
        r = mg("deploy", "--dir", self.dir, "--skip-lint", env=env)
        self.assertExit(r, 0)
        self.assertIn("MIGRATIONS_DB_URL", out(r))
        self.assertIn("directUrl", out(r))
        # without the directUrl variable, Prisma would use url: the pooled one, refused with the variable named
        env["MIGRATIONS_DB_URL"] = ""
        r = mg("status", "--dir", self.dir, env=env)
        self.assertIn("APP_DB_URL", out(r))


    def test_drift_takes_the_shadow_database_from_shadow_database_url_or_the_schema(self):
        self.add("20240101000000_init", INIT)
        self.assertExit(self.run_mg("deploy"), 0)
        shadow = self.pg.create_database(self.db[:30] + "_shadow")
        r = self.run_mg("drift", env={"SHADOW_DATABASE_URL": shadow})
        self.assertExit(r, 0)
        self.assertEqual(r.outputs["drift"], "false")
        with open(os.path.join(self.tmp, "schema.prisma"), "w") as f:
            f.write('datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n'
                    '  shadowDatabaseUrl = env("MY_SHADOW")\n}\n')
        r = self.run_mg("drift", env={"SHADOW_DATABASE_URL": "", "MY_SHADOW": shadow})
        self.assertExit(r, 0)
        r = self.run_mg("drift", env={"SHADOW_DATABASE_URL": shadow, "MY_SHADOW": ""})
        self.assertExit(r, 2)
        self.assertIn("MY_SHADOW", r.stderr)


class HostileUrlTest(MigrateGuardTest):
    """Items 8, 9, 23 (pooler): refused before connecting, exit 2, one line, no part of the password."""

    def test_password_with_unencoded_at_or_hash_is_refused_without_leaking(self):
        for password in ("p@ss#w0rd-Zq81", "s3cr#et-Zq81", "pa@ss-Zq81"):
            url = "postgresql://postgres:%s@127.0.0.1:%d/%s" % (password, self.pg.port, self.db)
            r = mg("status", "--dir", self.dir, env={"DATABASE_URL": url})
            self.assertExit(r, 2)
            self.assertIn("percent-encode", r.stderr)
            self.assertEqual(len([l for l in without_masks(r.stderr).split("\n") if l.strip()]), 1, r.stderr)
            for piece in (password, "w0rd-Zq81", "ss#w0rd", "et-Zq81", "ss-Zq81", "Zq81"):
                for text in (without_masks(r.stdout), without_masks(r.stderr), r.summary, repr(r.outputs)):
                    self.assertNotIn(piece, text)

    def test_the_same_through_the_flag_and_the_input(self):
        # --database-url is a secret option: its value is masked by its password, or whole when
        # the password cannot be told apart (an unencoded '@' or '#').
        password = "p@ss#w0rd-Zq81"
        url = "postgresql://postgres:%s@127.0.0.1:%d/%s" % (password, self.pg.port, self.db)
        for args, env in ((("--database-url", url), {}), ((), {"INPUT_DATABASE-URL": url})):
            with self.subTest(env=env):
                r = mg("status", "--dir", self.dir, *args, env=env)
                self.assertExit(r, 2)
                for piece in (password, "w0rd-Zq81", "ss#w0rd", "Zq81"):
                    for text in (without_masks(r.stdout), without_masks(r.stderr), r.summary, repr(r.outputs)):
                        self.assertNotIn(piece, text)

    def test_the_log_names_the_database_and_where_its_url_came_from(self):
        # The whole URL was masked ("database: *** (from --database-url)"), even one without a
        # password, and an input was called --database-url.
        url = "postgresql://postgres:%s@127.0.0.1:%d/%s" % (PASSWORD, self.pg.port, self.db)
        r = mg("status", "--dir", self.dir, env={"INPUT_DATABASE-URL": url})
        self.assertExit(r, 0)
        self.assertIn("database: postgresql://postgres:***@127.0.0.1:%d/%s (from INPUT_DATABASE-URL)" % (self.pg.port, self.db),
                      r.stderr)
        self.assertNotIn(PASSWORD, without_masks(r.stderr))
        r = mg("status", "--dir", self.dir, "--database-url", "postgresql://nobody@127.0.0.1:1/app", "--connect-timeout", "1s")
        self.assertExit(r, 3)
        self.assertIn("database: postgresql://nobody@127.0.0.1:1/app (from --database-url)", r.stderr)

    def test_other_providers_are_named_as_unsupported(self):
        for url, provider in (("mysql://root:pw@127.0.0.1:3306/app", "mysql"), ("sqlserver://127.0.0.1:1433;database=app", "sqlserver"),
                              ("mongodb+srv://u:pw@cluster0.example.net/app", "mongodb")):
            r = mg("status", "--dir", self.dir, env={"DATABASE_URL": url})
            self.assertExit(r, 2)
            self.assertIn(provider, r.stderr)
            self.assertIn("not supported", r.stderr)
            self.assertNotIn("invalid connection option", r.stderr)

    def test_pgbouncer_flag_on_another_port_and_a_multi_host_url_naming_the_pooler_port_are_refused(self):
        self.add("20240101000000_init", INIT)
        r = self.run_mg("deploy", url=self.url + "?pgbouncer=true")
        self.assertExit(r, 2)
        self.assertIn("pgbouncer=true", r.stderr)
        multi = "postgresql://postgres:%s@127.0.0.1:%d,127.0.0.1:6543/%s" % (PASSWORD, self.pg.port, self.db)
        r = self.run_mg("deploy", url=multi)
        self.assertExit(r, 2)
        self.assertIn("6543", r.stderr)
        self.assertEqual(self.q("SELECT to_regclass('users') IS NULL"), "t")


class FolderTest(MigrateGuardTest):
    """Items 9, 23, 24: the migrations folder."""

    def test_dir_prisma_suggests_prisma_migrations(self):
        prisma = os.path.join(self.tmp, "prisma")
        os.makedirs(os.path.join(prisma, "migrations", "20240101000000_init"))
        with open(os.path.join(prisma, "migrations", "20240101000000_init", "migration.sql"), "w") as f:
            f.write(INIT)
        with open(os.path.join(prisma, "schema.prisma"), "w") as f:
            f.write('datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n}\n')
        r = mg("status", "--dir", prisma, env={"DATABASE_URL": self.url})
        self.assertExit(r, 2)
        self.assertIn("--dir %s" % os.path.join(prisma, "migrations"), r.stderr)

    def test_nul_byte_refuses_the_file_and_applies_nothing(self):
        self.add("20240101000000_init", INIT)
        path = self.add_bytes("20240102000000_nul", b"CREATE TABLE a (id INT);\n\x00CREATE TABLE b (id INT);\n")
        r = self.run_mg("deploy")
        self.assertExit(r, 2)
        self.assertIn("NUL", r.stderr)
        self.assertIn("::error file=%s,line=2" % path, r.stdout)
        self.assertEqual(self.q("SELECT to_regclass('users') IS NULL AND to_regclass('_prisma_migrations') IS NULL"), "t")
        for command in ("status", "lint"):
            r = self.run_mg(command)
            self.assertExit(r, 2)
            self.assertIn("::error file=%s,line=2" % path, r.stdout)

    def test_commit_in_the_middle_then_a_failure_tells_what_was_committed(self):
        self.add("20240101000000_half", "CREATE TABLE kept (id INT);\nCOMMIT;\nCREATE TABLE lost (id INT);\nSELECT 1/0;\n")
        r = self.run_mg("deploy")
        self.assertExit(r, 4)
        self.assertIn("COMMIT at line 2", out(r))
        self.assertNotIn("nothing of 20240101000000_half was kept", out(r))
        self.assertEqual(self.q("SELECT to_regclass('kept') IS NOT NULL AND to_regclass('lost') IS NULL"), "t")

    def test_zero_lock_timeout_sql_is_refused(self):
        self.add("20240101000000_init", INIT)
        for flag in ("--lock-timeout-sql", "--statement-timeout"):
            r = self.run_mg("deploy", flag, "0s")
            self.assertExit(r, 2)
            self.assertEqual(len([l for l in r.stderr.split("\n") if l.strip()]), 1, r.stderr)
            self.assertIn(flag, r.stderr)
        self.assertEqual(self.q("SELECT to_regclass('users') IS NULL"), "t")

    def test_symlink_loop_is_a_usage_error_in_one_line(self):
        self.add("20240101000000_init", INIT)
        os.symlink("20240102000000_loop", os.path.join(self.dir, "20240102000000_loop"))
        r = self.run_mg("status")
        self.assertExit(r, 2)
        self.assertEqual(len([l for l in r.stderr.split("\n") if l.strip()]), 1, r.stderr)
        self.assertIn("20240102000000_loop", r.stderr)

    def test_empty_migrations_folder_is_up_to_date_for_status(self):
        r = self.run_mg("status")
        self.assertExit(r, 0)
        os.remove(os.path.join(self.dir, "migration_lock.toml"))
        self.assertExit(self.run_mg("status"), 0)


class DryRunTest(MigrateGuardTest):
    def test_dry_run_prints_the_plan_and_changes_nothing(self):
        self.add("20240101000000_init", INIT)
        self.add("20240102000000_posts", "CREATE TABLE posts (id INT);\n")
        r = self.run_mg("deploy", "--dry-run", "--json", "--require-extension", "pg_trgm")
        self.assertExit(r, 0)
        plan = json_of(r)["plan"]
        self.assertEqual([s["kind"] for s in plan["steps"]], ["restore-marker", "create-extension", "apply-migration", "apply-migration"])
        self.assertEqual(plan["apply"], ["20240101000000_init", "20240102000000_posts"])
        self.assertEqual(r.outputs["would-apply"], "20240101000000_init, 20240102000000_posts")
        self.assertIn("create extension pg_trgm", r.summary)
        self.assertEqual(self.q("SELECT to_regclass('users') IS NULL AND to_regclass('_prisma_migrations') IS NULL"), "t")
        self.assertEqual(self.q("SELECT count(*) FROM pg_extension WHERE extname = 'pg_trgm'"), "0")


if __name__ == "__main__":
    unittest.main()
