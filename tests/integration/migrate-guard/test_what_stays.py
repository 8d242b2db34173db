"""What deploy says after a failure, and how it judges findings against the live database, must
match what is really in that database (a hostile tester's pass, session 7), on a real PostgreSQL 15:
a script that leaves a BEGIN open, a failure recorded after a COMMIT read back by the next run, a
lone CREATE INDEX CONCURRENTLY or DO block that commits by itself, a session killed by the server,
a search_path that sends an unqualified name to another table, row-level security hiding rows
from the count, and a byte-order mark."""
import os
import subprocess
import threading
import time
import unittest

from mg import MigrateGuardTest, PASSWORD, out

INIT = "CREATE TABLE users (id SERIAL PRIMARY KEY, email TEXT NOT NULL);\n"


class FailureTruthTest(MigrateGuardTest):

    def test_a_begin_left_open_is_rolled_back_and_reported_not_recorded_as_applied(self):
        self.add("20240101000000_a", "CREATE TABLE before_commit (id INT);\nCOMMIT;\nBEGIN;\nCREATE TABLE a (id INT);\n")
        self.add("20240102000000_b", "CREATE TABLE b (id INT);\n")
        r = self.run_mg("deploy")
        self.assertExit(r, 4)
        self.assertIn("left a transaction open", out(r))
        self.assertIn("20240101000000_a/migration.sql:3", out(r))  # the BEGIN that stayed open
        self.assertIn("COMMIT at line 2", out(r))
        self.assertEqual(r.outputs["failed"], "20240101000000_a")
        # What ran before the COMMIT stays; everything after it, and the next migration, did not happen.
        self.assertEqual(self.q("SELECT to_regclass('before_commit') IS NOT NULL AND to_regclass('a') IS NULL "
                                "AND to_regclass('b') IS NULL"), "t")
        # The ledger says failed (logs recorded), not "started and never finished", and b never started.
        self.assertEqual(self.ledger(), [["20240101000000_a", "f", "f", "0", "t"]])
        r = self.run_mg("status")
        self.assertExit(r, 1)
        self.assertNotIn("killed or lost its connection", out(r))

    def test_a_failure_after_a_commit_is_still_told_truthfully_by_the_next_run(self):
        self.add("20240101000000_half", "CREATE TABLE kept (id INT);\nCOMMIT;\nSELECT 1/0;\n")
        self.assertExit(self.run_mg("deploy"), 4)
        for command in ("deploy", "status"):
            r = self.run_mg(command)
            self.assertExit(r, 1)
            self.assertIn("COMMIT at line 2 were committed", out(r) + r.summary)
            self.assertNotIn("nothing of it was kept", out(r) + r.summary)
            self.assertNotIn("was kept (one transaction)", out(r) + r.summary)

    def test_a_failed_concurrent_index_build_says_an_invalid_index_may_remain(self):
        self.add("20240101000000_init", "CREATE TABLE u (id INT, email TEXT);\n")
        self.assertExit(self.run_mg("deploy"), 0)
        self.q("INSERT INTO u VALUES (1, 'x'), (2, 'x')")
        self.add("20240102000000_uniq", "CREATE UNIQUE INDEX CONCURRENTLY u_email ON u(email);\n")
        r = self.run_mg("deploy")
        self.assertExit(r, 4)
        self.assertEqual(self.q("SELECT NOT indisvalid FROM pg_index WHERE indexrelid = to_regclass('u_email')"), "t")
        self.assertIn("INVALID index", out(r) + r.summary)
        self.assertNotIn("one transaction", out(r) + r.summary)
        r = self.run_mg("status")
        self.assertIn("INVALID index", out(r))

    def test_a_do_block_that_commits_is_not_called_one_transaction(self):
        self.add("20240101000000_t", "CREATE TABLE t (i INT);\n")
        self.assertExit(self.run_mg("deploy"), 0)
        self.add("20240102000000_batches",
                 "DO $$ BEGIN FOR i IN 1..5 LOOP INSERT INTO t VALUES (i); COMMIT; END LOOP; PERFORM 1/0; END $$;\n")
        r = self.run_mg("deploy")
        self.assertExit(r, 4)
        self.assertEqual(self.q("SELECT count(*) FROM t"), "5")
        self.assertIn("may COMMIT as it goes", out(r) + r.summary)
        self.assertNotIn("one transaction", out(r) + r.summary)

    def test_an_error_inside_a_do_block_is_annotated_at_its_line(self):
        path = self.add("20240101000000_do", "CREATE TABLE x (i INT);\nDO $$\nBEGIN\n  PERFORM 1;\n  PERFORM 1/0;\nEND $$;\n")
        r = self.run_mg("deploy")
        self.assertExit(r, 4)
        self.assertIn("::error file=%s,line=5,col=1," % path, r.stdout)
        self.assertIn("migration.sql:5:1", out(r))

    def test_a_session_killed_by_the_server_is_a_lost_connection_not_a_bad_file(self):
        self.add("20240101000000_slow", "CREATE TABLE s (id INT);\nSELECT pg_sleep(20);\n")
        killed = []

        def kill_it():
            # Bounded: 100 looks 0.1 s apart for the session running pg_sleep, then one terminate.
            for _ in range(100):
                pid = self.q("SELECT pid FROM pg_stat_activity WHERE query LIKE '%pg_sleep(20)%' "
                             "AND pid <> pg_backend_pid() LIMIT 1")
                if pid:
                    self.q("SELECT pg_terminate_backend(%s)" % pid)
                    killed.append(pid)
                    return
                time.sleep(0.1)

        t = threading.Thread(target=kill_it)
        t.start()
        r = self.run_mg("deploy", timeout=60)
        t.join()
        self.assertTrue(killed)
        self.assertExit(r, 4)
        self.assertIn("connection was lost", out(r) + r.summary)
        self.assertNotIn("Fix migration.sql", out(r) + r.summary)
        self.assertEqual(self.q("SELECT to_regclass('s') IS NULL"), "t")


    def test_resolving_a_deleted_migration_does_not_promise_the_next_deploy_runs_it(self):
        path = self.add("20240101000000_bad", "SELECT 1/0;\n")
        self.assertExit(self.run_mg("deploy"), 4)
        os.remove(path)
        os.rmdir(os.path.dirname(path))
        r = self.run_mg("resolve", "--rolled-back", "20240101000000_bad")
        self.assertExit(r, 0)
        self.assertIn("no deploy will run it unless it is put back", out(r))
        self.assertNotIn("the next deploy runs it again", out(r))


class LiveJudgementTruthTest(MigrateGuardTest):
    DROP = "ALTER TABLE users DROP COLUMN email;\n"

    def two_users_tables(self):
        self.add("20240101000000_init", INIT + "CREATE SCHEMA app;\nCREATE TABLE app.users (id INT, email TEXT);\n")
        self.assertExit(self.run_mg("deploy"), 0)
        self.q("INSERT INTO app.users SELECT g, 'u' || g FROM generate_series(1, 1000) g")

    def test_set_search_path_in_a_pending_migration_turns_the_live_judgement_off(self):
        self.two_users_tables()
        self.add("20240102000000_drop", "SET search_path TO app;\n" + self.DROP)
        r = self.run_mg("deploy", lint=True)
        self.assertExit(r, 1)
        self.assertEqual(r.outputs["refused"], "true")
        self.assertIn("changes search_path", out(r))
        self.assertNotIn("not blocking", out(r) + r.summary)
        self.assertEqual(self.q("SELECT count(*) FROM information_schema.columns WHERE table_schema = 'app' "
                                "AND column_name = 'email'"), "1")

    def test_a_database_search_path_that_resolves_the_name_elsewhere_blocks(self):
        self.two_users_tables()
        self.q("ALTER DATABASE %s SET search_path TO app, public" % self.db)
        self.add("20240102000000_drop", self.DROP)
        r = self.run_mg("deploy", lint=True)
        self.assertExit(r, 1)
        self.assertIn("does not resolve `users` to it", out(r))
        self.assertNotIn("has 0 rows: not blocking", out(r) + r.summary)

    def test_row_level_security_hiding_rows_blocks(self):
        self.add("20240101000000_init", "CREATE TABLE profiles (id INT, email TEXT);\n")
        self.assertExit(self.run_mg("deploy"), 0)
        self.q("INSERT INTO profiles SELECT g, 'p' || g FROM generate_series(1, 500) g; ANALYZE profiles;")
        self.q("CREATE ROLE app_owner LOGIN PASSWORD '%s'; GRANT ALL ON SCHEMA public TO app_owner; "
               "GRANT ALL ON ALL TABLES IN SCHEMA public TO app_owner; ALTER TABLE profiles OWNER TO app_owner; "
               "ALTER TABLE _prisma_migrations OWNER TO app_owner; "
               "ALTER TABLE profiles ENABLE ROW LEVEL SECURITY; ALTER TABLE profiles FORCE ROW LEVEL SECURITY; "
               "CREATE POLICY only_service ON profiles USING (current_user = 'authenticated')" % PASSWORD)
        self.addCleanup(self.q, "DROP OWNED BY app_owner CASCADE; DROP ROLE app_owner")
        self.add("20240102000000_drop", "ALTER TABLE profiles DROP COLUMN email;\n")
        url = self.pg.url(self.db, user="app_owner", password=PASSWORD)
        r = self.run_mg("deploy", url=url, lint=True)
        self.assertExit(r, 1)
        self.assertIn("row-level security", out(r))
        self.assertNotIn("has 0 rows", out(r) + r.summary)
        self.assertEqual(self.q("SELECT count(*) FROM information_schema.columns WHERE table_name = 'profiles' "
                                "AND column_name = 'email'"), "1")


class ByteOrderMarkTest(MigrateGuardTest):

    def test_a_folder_name_that_is_not_utf8_is_refused_before_anything_runs(self):
        self.add("20240101000000_init", INIT)
        folder = os.path.join(os.fsencode(self.dir), b"20240102000000_caf\xe9")
        os.makedirs(folder)
        with open(os.path.join(folder, b"migration.sql"), "wb") as f:
            f.write(b"CREATE TABLE b (id INT);\n")
        r = self.run_mg("deploy")
        self.assertExit(r, 2)
        self.assertIn("not valid UTF-8", r.stderr)
        self.assertEqual(self.q("SELECT to_regclass('users') IS NULL"), "t")

    def test_a_byte_order_mark_is_refused_before_anything_runs(self):
        path = self.add_bytes("20240101000000_bom", b"\xef\xbb\xbfCREATE TABLE a (id INT);\n")
        r = self.run_mg("deploy")
        self.assertExit(r, 2)
        self.assertIn("byte-order mark", r.stderr)
        self.assertIn("::error file=%s,line=1" % path, r.stdout)
        self.assertEqual(self.q("SELECT to_regclass('a') IS NULL AND to_regclass('_prisma_migrations') IS NULL"), "t")


if __name__ == "__main__":
    unittest.main()
