"""drift: the migrations replayed on an empty shadow database against the real database."""
import unittest

from mg import MigrateGuardTest

INIT = '''CREATE TYPE "Role" AS ENUM ('USER', 'ADMIN');
CREATE TABLE "User" (
    "id" SERIAL NOT NULL,
    "email" TEXT NOT NULL,
    "role" "Role" NOT NULL DEFAULT 'USER',
    "location" geometry(Point, 4326),
    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");
'''


class DriftTest(MigrateGuardTest):
    def setUp(self):
        super().setUp()
        self.shadow = self.pg.create_database(self.db[:30] + "_shadow")
        self.add("20260101000000_init", INIT)
        r = self.run_mg("deploy", "--require-extension", "postgis")
        self.assertExit(r, 0)

    def drift(self):
        return self.run_mg("drift", "--shadow-database-url", self.shadow)

    def test_no_drift_after_deploy(self):
        r = self.drift()
        self.assertExit(r, 0)
        self.assertEqual(r.outputs["drift"], "false")
        self.assertIn("no drift", r.summary)

    def test_db_push_style_changes_are_reported(self):
        # What `prisma db push` against production leaves behind: a column, an index, an enum value.
        self.q('ALTER TABLE "User" ADD COLUMN "nickname" TEXT')
        self.q('CREATE INDEX "User_role_idx" ON "User"("role")')
        self.q("ALTER TYPE \"Role\" ADD VALUE 'OWNER'")
        self.q('ALTER TABLE "User" ALTER COLUMN "email" DROP NOT NULL')
        r = self.drift()
        self.assertExit(r, 1)
        self.assertEqual(r.outputs["drift"], "true")
        only_db = "\n".join(l for l in r.summary.splitlines() if "only in the database" in l)
        self.assertIn('column public.User.nickname text NULL', only_db)
        self.assertIn('User_role_idx', only_db)
        self.assertIn("enum public.Role (USER, ADMIN, OWNER)", only_db)
        self.assertIn('column public.User.email text NULL', only_db)
        self.assertIn("column public.User.email text NOT NULL", r.summary)  # what the migrations say
        self.assertIn("never `prisma db push` in production", r.stderr)

    def test_pending_migrations_are_not_drift_and_the_shadow_is_emptied_again(self):
        # A migration on disk that the database has not run yet is work to do, not drift.
        self.add("20260102000000_add_nickname", 'ALTER TABLE "User" ADD COLUMN "nickname" TEXT;\n')
        shadow_db = self.db[:30] + "_shadow"
        self.pg.sql(shadow_db, "CREATE SCHEMA keep_me; CREATE TABLE keep_me.data (id int)")
        acl = "SELECT pg_get_userbyid(nspowner) || ' ' || coalesce(nspacl::text, '') FROM pg_namespace WHERE nspname = 'public'"
        public_before = self.pg.sql(shadow_db, acl)
        for run in range(2):  # the same shadow database serves run after run
            with self.subTest(run=run):
                r = self.drift()
                self.assertExit(r, 0)
                self.assertEqual(r.outputs["drift"], "false")
                self.assertIn("1 migration(s) not applied to the database", r.summary)
                self.assertIn("1 migrations replayed", r.summary)
        # Back to what it was: no tables, types or extensions of the replay; other schemas untouched.
        self.assertEqual(self.pg.sql(shadow_db, "SELECT to_regclass('public.\"User\"') IS NULL"), "t")
        self.assertEqual(self.pg.sql(shadow_db, "SELECT count(*) FROM pg_extension WHERE extname = 'postgis'"), "0")
        self.assertEqual(self.pg.sql(shadow_db, "SELECT count(*) FROM pg_type WHERE typname = 'Role'"), "0")
        self.assertEqual(self.pg.sql(shadow_db, "SELECT to_regclass('keep_me.data') IS NOT NULL"), "t")
        self.assertEqual(self.pg.sql(shadow_db, acl), public_before)

    def test_schema_parameter_decides_where_unqualified_names_go(self):
        import shutil
        shutil.rmtree(self.dir + "/20260101000000_init")  # it needs PostGIS on the search_path
        self.add("20260102000000_app", 'CREATE TABLE "Order" ("id" INT PRIMARY KEY);\n')
        r = self.run_mg("deploy", url=self.url + "?schema=shop")
        self.assertExit(r, 0)
        self.assertEqual(self.q("SELECT to_regclass('shop.\"Order\"') IS NOT NULL"), "t")
        # drift compares the URL's schema by default, replaying in the same search_path
        r = self.run_mg("drift", "--shadow-database-url", self.shadow, url=self.url + "?schema=shop")
        self.assertExit(r, 0)
        self.q('ALTER TABLE shop."Order" ADD COLUMN "note" TEXT')
        r = self.run_mg("drift", "--shadow-database-url", self.shadow, url=self.url + "?schema=shop")
        self.assertExit(r, 1)
        self.assertIn("shop.Order.note", r.summary)

    def test_shadow_must_be_empty_and_not_the_database(self):
        r = self.run_mg("drift", "--shadow-database-url", self.url)
        self.assertExit(r, 2)
        self.assertIn("is the database itself", r.stderr)
        self.pg.sql(self.db[:30] + "_shadow", "CREATE TABLE leftover (id int)")
        r = self.drift()
        self.assertExit(r, 2)
        self.assertIn("is not empty", r.stderr)

    def test_shadow_url_is_required(self):
        r = self.run_mg("drift")
        self.assertExit(r, 2)
        self.assertIn("--shadow-database-url", r.stderr)


if __name__ == "__main__":
    unittest.main()
