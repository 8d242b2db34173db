"""deploy and status against a real PostgreSQL 15 + PostGIS: apply flows, failures, CRLF, edits,
concurrency, and a kill -9 in the middle of a migration."""
import hashlib
import json
import os
import shutil
import signal
import subprocess
import time
import unittest

from mg import MigrateGuardTest, PASSWORD, out
from yonima_test import BIN

INIT = "CREATE TABLE users (\n  id SERIAL PRIMARY KEY,\n  email TEXT NOT NULL\n);\n"
POSTS = "CREATE TABLE posts (id SERIAL PRIMARY KEY, user_id INT NOT NULL REFERENCES users(id));\nCREATE INDEX posts_user ON posts(user_id);\n"


def json_of(result):
    # Workflow commands (::add-mask::) may precede the JSON document on stdout.
    return json.loads(result.stdout[result.stdout.index("{"):])


class DeployTest(MigrateGuardTest):
    def test_apply_then_status_is_clean_and_ledger_is_prisma_shaped(self):
        p1 = self.add("20240101000000_init", INIT)
        self.add("20240102000000_posts", POSTS)
        r = self.run_mg("status", "--json")
        self.assertExit(r, 1)
        self.assertEqual(r.outputs["pending-count"], "2")
        self.assertEqual([m["state"] for m in json_of(r)["migrations"]], ["pending", "pending"])

        r = self.run_mg("deploy")
        self.assertExit(r, 0)
        self.assertEqual(r.outputs["applied"], "20240101000000_init, 20240102000000_posts")
        self.assertRegex(r.outputs["restore-point-time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z$")
        self.assertTrue(r.outputs["restore-point-name"].startswith("migrate-guard-"))
        self.assertNoSecret(r)
        self.assertEqual(self.q("SELECT count(*) FROM posts"), "0")

        rows = self.pg.rows(self.db, "SELECT id, checksum, migration_name, finished_at IS NOT NULL, logs IS NULL, rolled_back_at IS NULL,"
                                     " applied_steps_count FROM _prisma_migrations ORDER BY migration_name")
        with open(p1, "rb") as f:
            self.assertEqual(rows[0][1], hashlib.sha256(f.read()).hexdigest())
        self.assertRegex(rows[0][0], r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
        self.assertEqual([r[2:] for r in rows], [["20240101000000_init", "t", "t", "t", "1"], ["20240102000000_posts", "t", "t", "t", "1"]])
        # The table's shape is Prisma's.
        cols = self.pg.rows(self.db, "SELECT column_name, data_type, is_nullable, coalesce(character_maximum_length::text,'') FROM "
                                     "information_schema.columns WHERE table_name = '_prisma_migrations' ORDER BY ordinal_position")
        self.assertEqual(cols, [["id", "character varying", "NO", "36"], ["checksum", "character varying", "NO", "64"],
                                ["finished_at", "timestamp with time zone", "YES", ""], ["migration_name", "character varying", "NO", "255"],
                                ["logs", "text", "YES", ""], ["rolled_back_at", "timestamp with time zone", "YES", ""],
                                ["started_at", "timestamp with time zone", "NO", ""], ["applied_steps_count", "integer", "NO", ""]])

        r = self.run_mg("status")
        self.assertExit(r, 0)
        r = self.run_mg("deploy")
        self.assertExit(r, 0)
        self.assertIn("up to date", r.stderr + r.stdout + r.summary)
        self.assertEqual(self.q("SELECT count(*) FROM _prisma_migrations"), "2")

    def test_failure_mid_script_leaves_nothing_and_a_failed_row(self):
        self.add("20240101000000_init", INIT)
        bad = self.add("20240102000000_bad", "CREATE TABLE half (id INT);\nINSERT INTO half VALUES (1);\nALTER TABLE nosuch ADD COLUMN x INT;\n")
        self.add("20240103000000_after", "CREATE TABLE after_bad (id INT);\n")
        r = self.run_mg("deploy")
        self.assertExit(r, 4)
        self.assertEqual(r.outputs["applied"], "20240101000000_init")
        self.assertEqual(r.outputs["failed"], "20240102000000_bad")
        self.assertIn("applied before it: 20240101000000_init", out(r))
        self.assertIn("not attempted: 20240103000000_after", out(r))
        self.assertIn("resolve --rolled-back 20240102000000_bad", out(r))
        # The annotation points at the failing statement (the server gives no position for this error).
        self.assertIn("file=%s,line=3," % bad, r.stdout)
        self.assertIn("line=3,col=1,", r.stdout)
        self.assertEqual(self.q("SELECT to_regclass('half') IS NULL AND to_regclass('after_bad') IS NULL"), "t")
        self.assertEqual(self.ledger(), [["20240101000000_init", "t", "f", "1", "f"], ["20240102000000_bad", "f", "f", "0", "t"]])
        self.assertIn('relation "nosuch" does not exist', self.q("SELECT logs FROM _prisma_migrations WHERE finished_at IS NULL"))

        # The next deploy refuses with nothing applied, and says how to get out.
        r = self.run_mg("deploy")
        self.assertExit(r, 1)
        self.assertIn("20240102000000_bad", out(r))
        self.assertIn("resolve --rolled-back", out(r))
        self.assertEqual(self.q("SELECT to_regclass('after_bad') IS NULL"), "t")
        r = self.run_mg("status")
        self.assertExit(r, 1)
        self.assertEqual(r.outputs["failed-count"], "1")

        # Fix, resolve, deploy: the failed row is kept, a new one is added.
        self.add("20240102000000_bad", "CREATE TABLE half (id INT);\nINSERT INTO half VALUES (1);\n")
        self.assertExit(self.run_mg("resolve", "--rolled-back", "20240102000000_bad"), 0)
        r = self.run_mg("deploy")
        self.assertExit(r, 0)
        self.assertEqual(r.outputs["applied"], "20240102000000_bad, 20240103000000_after")
        self.assertEqual(self.q("SELECT count(*) FROM _prisma_migrations WHERE migration_name = '20240102000000_bad'"), "2")
        self.assertExit(self.run_mg("status"), 0)

    def test_error_position_is_mapped_to_line_and_column(self):
        bad = self.add("20240101000000_typo", "-- a comment\nCREATE TABLE a (id INT);\n\nSELECT idd\n  FROM a;\n")
        r = self.run_mg("deploy")
        self.assertExit(r, 4)
        self.assertIn("file=%s,line=4,col=8," % bad, r.stdout)
        self.assertIn("%s:4:8" % bad, out(r))

    def test_dollar_quoted_function_bodies(self):
        self.add("20240101000000_init", INIT)
        self.add("20240102000000_fn", """CREATE FUNCTION touch_email() RETURNS trigger AS $$
BEGIN
  NEW.email := lower(NEW.email);  -- a semicolon inside the body
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER users_email BEFORE INSERT ON users FOR EACH ROW EXECUTE FUNCTION touch_email();
DO $body$ BEGIN PERFORM 1; END $body$;
""")
        self.assertExit(self.run_mg("deploy"), 0)
        self.q("INSERT INTO users (email) VALUES ('A@B.C')")
        self.assertEqual(self.q("SELECT email FROM users"), "a@b.c")

    def test_postgis_geometry_column_with_require_extension(self):
        self.add("20240101000000_places", "CREATE TABLE places (id SERIAL PRIMARY KEY, location geometry(Point, 4326) NOT NULL);\n"
                                          "CREATE INDEX places_location ON places USING GIST (location);\n")
        r = self.run_mg("deploy", "--require-extension", "postgis")
        self.assertExit(r, 0)
        self.assertEqual(r.outputs["created-extensions"], "postgis")
        self.q("INSERT INTO places (location) VALUES (ST_SetSRID(ST_MakePoint(2.35, 48.85), 4326))")
        self.assertEqual(self.q("SELECT ST_AsText(location) FROM places"), "POINT(2.35 48.85)")
        # spatial_ref_sys belongs to the extension: the schema still counts as migrated, not foreign.
        self.assertExit(self.run_mg("status"), 0)

    def test_postgis_in_an_extensions_schema_like_supabase(self):
        self.add("20240101000000_places", "CREATE TABLE places (id INT, location extensions.geometry(Point, 4326));\n")
        r = self.run_mg("deploy", "--require-extension", "postgis,pg_trgm", "--extension-schema", "extensions")
        self.assertExit(r, 0)
        self.assertEqual(self.pg.rows(self.db, "SELECT extname, extnamespace::regnamespace FROM pg_extension WHERE extname <> 'plpgsql' ORDER BY 1"),
                         [["pg_trgm", "extensions"], ["postgis", "extensions"]])

    def test_missing_extension_on_server_is_an_environment_error(self):
        self.add("20240101000000_init", INIT)
        r = self.run_mg("deploy", "--require-extension", "no_such_ext")
        self.assertExit(r, 3)
        self.assertIn("no_such_ext", out(r))
        self.assertEqual(self.q("SELECT to_regclass('users') IS NULL"), "t")

    def test_crlf_files_apply_and_tolerate_line_ending_changes(self):
        path = self.add("20240101000000_init", INIT, newline="crlf")
        self.assertExit(self.run_mg("deploy"), 0)
        with open(path, "rb") as f:
            self.assertIn(b"\r\n", f.read())
        self.assertEqual(self.q("SELECT checksum FROM _prisma_migrations"), hashlib.sha256(INIT.replace("\n", "\r\n").encode()).hexdigest())
        # A checkout with LF endings (git autocrlf) is the same migration, as for Prisma.
        self.add("20240101000000_init", INIT)
        self.assertExit(self.run_mg("status"), 0)

    def test_edited_after_apply_is_reported_and_refused(self):
        path = self.add("20240101000000_init", INIT)
        self.assertExit(self.run_mg("deploy"), 0)
        with open(path, "a") as f:
            f.write("ALTER TABLE users ADD COLUMN name TEXT;\n")
        self.add("20240102000000_posts", POSTS)
        r = self.run_mg("status", "--json")
        self.assertExit(r, 1)
        self.assertEqual(r.outputs["edited-count"], "1")
        self.assertEqual(json_of(r)["migrations"][0]["state"], "edited after apply")
        r = self.run_mg("deploy")
        self.assertExit(r, 1)
        self.assertIn("edited", out(r))
        self.assertIn("--allow-edited", out(r))
        self.assertEqual(self.q("SELECT to_regclass('posts') IS NULL"), "t")
        r = self.run_mg("deploy", "--allow-edited")
        self.assertExit(r, 0)
        self.assertEqual(r.outputs["applied"], "20240102000000_posts")

    def test_applied_but_missing_on_disk(self):
        self.add("20240101000000_init", INIT)
        self.add("20240102000000_posts", POSTS)
        self.assertExit(self.run_mg("deploy"), 0)
        shutil.rmtree(os.path.join(self.dir, "20240102000000_posts"))
        r = self.run_mg("status", "--json")
        self.assertExit(r, 1)
        self.assertEqual(r.outputs["missing-count"], "1")
        self.assertEqual(json_of(r)["migrations"][-1]["state"], "applied, missing on disk")

    def test_two_concurrent_deploys_apply_each_migration_once(self):
        for i in range(6):
            self.add("2024010100000%d_m%d" % (i, i), "CREATE TABLE t%d (id INT);\nSELECT pg_sleep(0.2);\n" % i)
        env = dict(os.environ, DATABASE_URL=self.url)
        for k in [k for k in env if k.startswith("GITHUB_") or k.startswith("INPUT_")]:
            del env[k]
        procs = [subprocess.Popen([os.path.join(BIN, "migrate-guard"), "deploy", "--dir", self.dir, "--lock-timeout", "30s"],
                                  env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(3)]
        outs = [p.communicate(timeout=60) for p in procs]
        self.assertEqual([p.returncode for p in procs], [0, 0, 0], outs)
        self.assertEqual(self.q("SELECT count(*), count(DISTINCT migration_name) FROM _prisma_migrations WHERE finished_at IS NOT NULL"), "6|6")
        self.assertTrue(any("waiting for the migration lock" in err for _, err in outs), outs)

    def test_kill_9_during_a_long_migration_then_rerun(self):
        self.add("20240101000000_init", INIT)
        self.add("20240102000000_slow", "CREATE TABLE slow (id INT);\nSELECT pg_sleep(60);\n")
        env = dict(os.environ, DATABASE_URL=self.url)
        proc = subprocess.Popen([os.path.join(BIN, "migrate-guard"), "deploy", "--dir", self.dir], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 20
        while time.time() < deadline:
            if self.q("SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(60)%' AND pid <> pg_backend_pid()") == "1":
                break
            time.sleep(0.1)
        else:
            proc.kill()
            self.fail("the slow migration never started")
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)

        r = self.run_mg("deploy", "--lock-timeout", "20s")
        self.assertExit(r, 1)
        self.assertIn("20240102000000_slow", out(r))
        self.assertIn("never finished", out(r))
        self.assertIn("resolve --rolled-back 20240102000000_slow", out(r))
        # The server noticed the client was gone and rolled the script back: nothing half-done.
        self.assertEqual(self.q("SELECT to_regclass('slow') IS NULL"), "t")
        self.assertEqual(self.ledger(), [["20240101000000_init", "t", "f", "1", "f"], ["20240102000000_slow", "f", "f", "0", "f"]])
        self.assertEqual(self.q("SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(60)%' AND pid <> pg_backend_pid()"), "0")

        self.assertExit(self.run_mg("resolve", "--rolled-back", "20240102000000_slow"), 0)
        self.add("20240102000000_slow", "CREATE TABLE slow (id INT);\nSELECT pg_sleep(0);\n")
        self.assertExit(self.run_mg("deploy"), 0)
        self.assertExit(self.run_mg("status"), 0)

    def test_lock_timeout_names_the_holder(self):
        self.add("20240101000000_init", INIT)
        env = dict(os.environ)
        env.update(self.pg.env(self.db))
        holder = subprocess.Popen(["/usr/lib/postgresql/15/bin/psql", "-X", "-q", "-c",
                                   "SET application_name = 'someone-else'; SELECT pg_advisory_lock(72707369); SELECT pg_sleep(20);"],
                                  env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.time() + 10
            while self.q("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = 72707369 AND granted") != "1":
                self.assertLess(time.time(), deadline)
                time.sleep(0.1)
            r = self.run_mg("deploy", "--lock-timeout", "1s")
            self.assertExit(r, 3)
            self.assertIn("someone-else", out(r))
            self.assertIn("timed out", out(r))
            self.assertEqual(self.q("SELECT to_regclass('users') IS NULL"), "t")
        finally:
            holder.kill()
            holder.wait()


class LintRefusalTest(MigrateGuardTest):
    """deploy lints the pending migrations (earlier ones read for context) before touching anything."""

    def with_users(self):
        """users deployed and holding a row: deploy judges findings against the live table, and an
        empty or new one does not block (test_field_findings.py)."""
        self.add("20240101000000_init", INIT)
        self.assertExit(self.run_mg("deploy", lint=True), 0)
        self.q("INSERT INTO users (email) VALUES ('a@example.com')")

    def test_lint_errors_refuse_with_nothing_applied(self):
        self.with_users()
        path = self.add("20240102000000_idx", "CREATE INDEX users_email ON users(email);\n")
        r = self.run_mg("deploy", lint=True)
        self.assertExit(r, 1)
        self.assertEqual(r.outputs["refused"], "true")
        self.assertIn("require-concurrent-index-creation", out(r))
        self.assertIn("::error file=%s,line=1" % path, r.stdout + r.stderr)
        self.assertEqual(self.q("SELECT to_regclass('users_email') IS NULL AND count(*) = 1 FROM _prisma_migrations"), "t")

    def test_suppression_in_the_file_and_disable_rule_let_it_through(self):
        self.with_users()
        self.add("20240102000000_idx", "-- migrate-guard-ignore: require-concurrent-index-creation table is tiny\n"
                                       "CREATE INDEX users_email ON users(email);\n")
        r = self.run_mg("deploy", lint=True)
        self.assertExit(r, 0)
        self.assertEqual(self.q("SELECT to_regclass('users_email') IS NOT NULL"), "t")
        self.add("20240103000000_idx2", "CREATE INDEX users_id_email ON users(id, email);\n")
        self.assertExit(self.run_mg("deploy", lint=True), 1)
        r = self.run_mg("deploy", "--disable-rule", "require-concurrent-index-creation", lint=True)
        self.assertExit(r, 0)
        self.assertEqual(r.outputs["applied"], "20240103000000_idx2")

    def test_a_widening_of_a_column_an_earlier_migration_declared_is_not_refused(self):
        self.add("20240101000000_init", 'CREATE TABLE "Post" ("id" SERIAL PRIMARY KEY, "title" VARCHAR(100) NOT NULL);\n')
        self.assertExit(self.run_mg("deploy", lint=True), 0)
        self.q('INSERT INTO "Post" ("title") VALUES (\'hello\')')  # an empty table would not block
        self.add("20240102000000_widen", "SET lock_timeout = '5s';\n"
                                         'ALTER TABLE "Post" ALTER COLUMN "title" SET DATA TYPE VARCHAR(300);\n')
        r = self.run_mg("deploy", lint=True)
        self.assertExit(r, 0)
        self.add("20240103000000_narrow", "SET lock_timeout = '5s';\n"
                                          'ALTER TABLE "Post" ALTER COLUMN "title" SET DATA TYPE VARCHAR(50);\n')
        r = self.run_mg("deploy", lint=True)
        self.assertExit(r, 1)
        self.assertIn("changing-column-type", out(r))


class SessionSettingsTest(MigrateGuardTest):
    def test_timeouts_are_set_again_before_every_migration(self):
        # The first migration resets lock_timeout; the second must still run under --lock-timeout-sql.
        self.add("20240101000000_init", INIT + "RESET lock_timeout;\nSET statement_timeout = 0;\n")
        self.add("20240102000000_probe",
                 "CREATE TABLE probe AS SELECT current_setting('lock_timeout') AS lt, current_setting('statement_timeout') AS st;\n")
        r = self.run_mg("deploy", "--lock-timeout-sql", "3s", "--statement-timeout", "2m")
        self.assertExit(r, 0)
        self.assertEqual(self.q("SELECT lt || ' ' || st FROM probe"), "3s 2min")

    def test_statement_timeout_stops_a_runaway_migration(self):
        self.add("20240101000000_slow", "CREATE TABLE slow (id INT);\nSELECT pg_sleep(30);\n")
        r = self.run_mg("deploy", "--statement-timeout", "1s")
        self.assertExit(r, 4)
        self.assertIn("statement timeout", out(r))
        self.assertEqual(self.q("SELECT to_regclass('slow') IS NULL"), "t")


class ConnectionSourcesTest(MigrateGuardTest):
    def test_pg_variables_and_pgpass_without_any_url(self):
        self.add("20240101000000_init", INIT)
        home = os.path.join(self.tmp, "home")
        os.mkdir(home)
        pgpass = os.path.join(home, ".pgpass")
        with open(pgpass, "w") as f:
            f.write("127.0.0.1:%d:*:%s:%s\n" % (self.pg.port, self.pg.user, PASSWORD))
        os.chmod(pgpass, 0o600)
        env = {"DATABASE_URL": "", "HOME": home, "PGHOST": "127.0.0.1", "PGPORT": str(self.pg.port),
               "PGUSER": self.pg.user, "PGDATABASE": self.db, "PGPASSWORD": ""}
        from mg import mg
        r = mg("deploy", "--dir", self.dir, "--skip-lint", env=env)
        self.assertExit(r, 0)
        self.assertEqual(r.outputs["applied"], "20240101000000_init")
        self.assertNoSecret(r)
        os.remove(pgpass)
        r = mg("status", "--dir", self.dir, env=env)
        self.assertExit(r, 3)
        self.assertIn("password", out(r))

    def test_sslmode_require_against_a_server_without_tls_is_an_environment_error(self):
        self.add("20240101000000_init", INIT)
        r = self.run_mg("status", url=self.url + "?sslmode=require")
        self.assertExit(r, 3)
        self.assertIn("SSL", out(r))
        self.assertNoSecret(r)


if __name__ == "__main__":
    unittest.main()
