"""The linter's claims, checked against a real PostgreSQL 15 on 127.0.0.1: a rule fires exactly when
PostgreSQL rewrites the table, rejects the statement, or breaks the migration's atomicity. Each
script is sent as ONE query (psql -c), as Prisma and migrate-guard send a migration file."""
import os
import subprocess
import tempfile
import unittest

from lint_support import lint_with_driver
from postgres import PG_BIN, Postgres

SETUP = """CREATE TABLE "Post" ("id" SERIAL NOT NULL, "title" VARCHAR(255) NOT NULL, "views" INTEGER NOT NULL DEFAULT 0,
  CONSTRAINT "Post_pkey" PRIMARY KEY ("id"));
INSERT INTO "Post" ("title") SELECT 'post ' || g FROM generate_series(1, 200) g;"""


VIEW = 'CREATE VIEW "LongPosts" AS SELECT "id", "title" FROM "Post" WHERE "views" > 10;'


def lint(sql, history=SETUP):
    """Our rules for `sql` as the migration after `history` (so column types are known)."""
    tmp = tempfile.mkdtemp(prefix="lint-pg-")
    paths = []
    for name, text in (("1_setup.sql", history), ("2_change.sql", sql)):
        with open(os.path.join(tmp, name), "w") as f:
            f.write(text)
        paths.append(name)
    report = lint_with_driver(paths, cwd=tmp, sequence=True)["2_change.sql"]
    return {f["rule"] for f in report["findings"]}


class RulesOnPostgresTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.pg = Postgres()

    @classmethod
    def tearDownClass(cls):
        cls.pg.stop()

    def setUp(self):
        self.db = "lint_" + self._testMethodName[5:45]
        self.pg.create_database(self.db)
        self.pg.sql(self.db, SETUP)

    def run_script(self, sql):
        return self.pg.psql(self.db, sql, check=False)

    def relfilenode(self):
        return self.pg.sql(self.db, "SELECT relfilenode FROM pg_class WHERE relname = 'Post'")

    def rewrites(self, sql):
        before = self.relfilenode()
        r = self.run_script(sql)
        self.assertEqual(r.returncode, 0, r.stderr)
        return self.relfilenode() != before

    def test_type_changes_fire_exactly_when_postgres_rewrites(self):
        cases = [
            ('ALTER TABLE "Post" ALTER COLUMN "title" SET DATA TYPE VARCHAR(500);', False),
            ('ALTER TABLE "Post" ALTER COLUMN "title" SET DATA TYPE TEXT;', False),
            ('ALTER TABLE "Post" ALTER COLUMN "title" SET DATA TYPE VARCHAR(120);', True),
            ('ALTER TABLE "Post" ALTER COLUMN "views" SET DATA TYPE BIGINT;', True),
        ]
        for sql, rewrite in cases:
            with self.subTest(sql=sql):
                self.setUp()
                self.assertEqual(self.rewrites(sql), rewrite)
                self.assertEqual("changing-column-type" in lint(sql), rewrite)

    def test_defaults_fire_exactly_when_postgres_rewrites(self):
        cases = [
            ('ALTER TABLE "Post" ADD COLUMN "token" UUID NOT NULL DEFAULT gen_random_uuid();', True),
            ('ALTER TABLE "Post" ADD COLUMN "r" DOUBLE PRECISION DEFAULT random();', True),
            ('ALTER TABLE "Post" ADD COLUMN "n" BIGSERIAL;', True),
            ('ALTER TABLE "Post" ADD COLUMN "seenAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;', False),
            ('ALTER TABLE "Post" ADD COLUMN "at" TIMESTAMPTZ DEFAULT now();', False),
            ('ALTER TABLE "Post" ADD COLUMN "active" BOOLEAN NOT NULL DEFAULT true;', False),
            ('ALTER TABLE "Post" ADD COLUMN "tags" TEXT[] DEFAULT ARRAY[]::TEXT[];', False),
        ]
        for sql, rewrite in cases:
            with self.subTest(sql=sql):
                self.setUp()
                self.assertEqual(self.rewrites(sql), rewrite)
                self.assertEqual("adding-field-with-default" in lint(sql), rewrite)

    def test_concurrently_fails_only_with_other_statements_in_the_file(self):
        alone = 'CREATE INDEX CONCURRENTLY "Post_views_idx" ON "Post"("views");'
        mixed = "SET lock_timeout = '5s';\n" + alone
        r = self.run_script(mixed)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("cannot run inside a transaction block", r.stderr)
        self.assertIn("concurrently-in-multi-statement-file", lint(mixed))
        self.assertEqual(self.run_script(alone).returncode, 0)
        self.assertNotIn("concurrently-in-multi-statement-file", lint(alone))

    def test_statements_refused_in_a_transaction_block_fire_only_when_mixed(self):
        # What PostgreSQL refuses inside the implicit transaction of a multi-statement query, and
        # what it accepts there (REFRESH ... CONCURRENTLY, ANALYZE) though they look alike.
        self.pg.sql(self.db, 'CREATE MATERIALIZED VIEW "PostStats" AS SELECT count(*) AS n FROM "Post"; '
                             'CREATE UNIQUE INDEX ON "PostStats"(n);')
        cases = [
            ('SET lock_timeout = \'5s\';\nVACUUM "Post";', True),
            ('SET lock_timeout = \'5s\';\nCREATE DATABASE "lint_made_here";', True),
            ('SET lock_timeout = \'5s\';\nALTER SYSTEM SET work_mem = \'8MB\';', True),
            ('SET lock_timeout = \'5s\';\nREFRESH MATERIALIZED VIEW CONCURRENTLY "PostStats";', False),
            ('SET lock_timeout = \'5s\';\nANALYZE "Post";', False),
        ]
        for sql, refused in cases:
            with self.subTest(sql=sql):
                r = self.run_script(sql)
                self.assertEqual(r.returncode != 0, refused, r.stderr)
                if refused:
                    self.assertIn("cannot run inside a transaction block", r.stderr)
                self.assertEqual("concurrently-in-multi-statement-file" in lint(sql), refused)
        self.pg.sql("postgres", 'DROP DATABASE IF EXISTS "lint_made_here"')

    def test_ddl_on_a_view_in_use_waits_for_its_readers(self):
        # A reader holds the view (an open transaction that read it). DROP VIEW and CREATE OR REPLACE
        # VIEW need ACCESS EXCLUSIVE on it: they wait (here: fail on lock_timeout), and every later
        # reader would queue behind them. A new CREATE VIEW over the same table does not wait.
        self.run_script('CREATE VIEW "LongPosts" AS SELECT "id", "title" FROM "Post" WHERE "views" > 10;')
        env = dict(os.environ)
        env.update(self.pg.env(self.db))
        reader = subprocess.Popen([os.path.join(PG_BIN, "psql"), "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1"],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
        try:
            reader.stdin.write('BEGIN;\nSELECT count(*) FROM "LongPosts";\n')
            reader.stdin.flush()
            self.assertEqual(reader.stdout.readline().strip(), "0")
            cases = [
                ('DROP VIEW "LongPosts";', True),
                ('CREATE OR REPLACE VIEW "LongPosts" AS SELECT "id", "title" FROM "Post" WHERE "views" > 20;', True),
                ('CREATE VIEW "ShortPosts" AS SELECT "id" FROM "Post" WHERE "views" <= 10;', False),
            ]
            for sql, waits in cases:
                with self.subTest(sql=sql):
                    r = self.run_script("SET lock_timeout = '300ms';\n" + sql)
                    self.assertEqual(r.returncode != 0, waits, r.stderr)
                    if waits:
                        self.assertIn("lock timeout", r.stderr)
                    self.assertEqual("require-lock-timeout" in lint(sql, SETUP + "\n" + VIEW), waits)
        finally:
            reader.stdin.write("ROLLBACK;\n")
            reader.stdin.close()
            reader.wait(timeout=30)

    def test_commit_inside_a_migration_leaves_it_half_applied(self):
        nested = 'BEGIN;\nCREATE TABLE "Half" (id int);\nCOMMIT;\nALTER TABLE "Nope" ADD COLUMN x int;'
        plain = 'CREATE TABLE "Whole" (id int);\nALTER TABLE "Nope" ADD COLUMN x int;'
        self.assertNotEqual(self.run_script(nested).returncode, 0)
        self.assertNotEqual(self.run_script(plain).returncode, 0)
        tables = self.pg.sql(self.db, "SELECT string_agg(relname, ',') FROM pg_class WHERE relname IN ('Half', 'Whole')")
        self.assertEqual(tables, "Half")  # the COMMIT kept it; the plain file left nothing
        self.assertIn("transaction-nesting", lint(nested))
        self.assertNotIn("transaction-nesting", lint(plain))

    def test_required_column_fails_on_a_table_with_rows(self):
        sql = 'ALTER TABLE "Post" ADD COLUMN "slug" TEXT NOT NULL;'
        r = self.run_script(sql)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("contains null values", r.stderr)
        self.assertIn("adding-required-field", lint(sql))
        fine = 'ALTER TABLE "Post" ADD COLUMN "slug" TEXT NOT NULL DEFAULT \'\';'
        self.assertEqual(self.run_script(fine).returncode, 0)
        self.assertNotIn("adding-required-field", lint(fine))

    def test_unique_cannot_be_not_valid_but_using_index_works(self):
        r = self.run_script('ALTER TABLE "Post" ADD CONSTRAINT "u" UNIQUE ("title") NOT VALID;')
        self.assertNotEqual(r.returncode, 0)  # why we do not suggest NOT VALID for UNIQUE (squawk does)
        self.assertEqual(self.run_script('CREATE UNIQUE INDEX CONCURRENTLY "Post_title_key" ON "Post"("title");').returncode, 0)
        using = 'ALTER TABLE "Post" ADD CONSTRAINT "Post_title_key" UNIQUE USING INDEX "Post_title_key";'
        self.assertEqual(self.run_script(using).returncode, 0)
        self.assertNotIn("disallowed-unique-constraint", lint(using))

    def test_not_null_in_steps_is_clean_and_works(self):
        steps = [
            'SET lock_timeout = \'5s\';\nALTER TABLE "Post" ADD CONSTRAINT "title_nn" CHECK ("title" IS NOT NULL) NOT VALID;',
            'ALTER TABLE "Post" VALIDATE CONSTRAINT "title_nn";',
        ]
        for sql in steps:
            self.assertEqual(self.run_script(sql).returncode, 0)
            self.assertEqual(lint(sql), set())


if __name__ == "__main__":
    unittest.main()
