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
