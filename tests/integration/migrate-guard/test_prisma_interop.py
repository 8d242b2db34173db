"""Interoperability with the real Prisma Migrate 6.19 (offline, WebAssembly engine): both tools
read and write the same _prisma_migrations, take the same lock, and resolve each other's failures.

Prisma is installed with `npm ci` from the project's own fixture, tests/fixtures/prisma6-offline
(pinned versions, package-lock.json committed), into .cache/ (reused while the lock file is
unchanged). CHECKPOINT_DISABLE=1 always: otherwise the CLI phones home. Without npm the tests skip,
which fails the run under CI (tests/support/skip_policy.py)."""
import filecmp
import os
import shutil
import subprocess
import threading
import time
import unittest

from mg import MigrateGuardTest, out

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
FIXTURE = os.path.join(REPO, "tests", "fixtures", "prisma6-offline")
CACHE = os.path.join(REPO, ".cache", "prisma6-offline")

INIT = "CREATE TABLE users (id SERIAL PRIMARY KEY, email TEXT NOT NULL);\n"
POSTS = "CREATE TABLE posts (id SERIAL PRIMARY KEY, user_id INT REFERENCES users(id));\n"


def install_prisma():
    """Returns None when ready, else why the tests must be skipped."""
    if not shutil.which("npm"):
        return "npm is not installed: cannot install Prisma 6.19 for the interoperability tests"
    if not os.path.isdir(FIXTURE):
        return "fixture %s is missing" % FIXTURE
    ready = os.path.exists(os.path.join(CACHE, "node_modules", ".bin", "prisma")) and all(
        os.path.exists(os.path.join(CACHE, f)) and filecmp.cmp(os.path.join(FIXTURE, f), os.path.join(CACHE, f), shallow=False)
        for f in os.listdir(FIXTURE))
    if ready:
        return None
    shutil.rmtree(CACHE, ignore_errors=True)
    shutil.copytree(FIXTURE, CACHE)
    env = dict(os.environ, CHECKPOINT_DISABLE="1")
    # `npm ci`: exactly the versions in package-lock.json; install scripts are not needed (the
    # WebAssembly engine ships in the package) and would try to download native engines.
    r = subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts"], cwd=CACHE, env=env, capture_output=True, text=True,
                       timeout=900)
    if r.returncode != 0:
        raise RuntimeError("npm install of Prisma 6.19 failed: " + r.stderr[-2000:])
    return None


class PrismaInteropTest(MigrateGuardTest):
    @classmethod
    def setUpClass(cls):
        why = install_prisma()
        if why:
            raise unittest.SkipTest(why)
        super().setUpClass()

    def prisma(self, *args, timeout=120):
        env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
        env.update({"CHECKPOINT_DISABLE": "1", "PRISMA_HIDE_UPDATE_MESSAGE": "1", "DATABASE_URL": "postgresql://dummy",
                    "MIGRATE_DATABASE_URL": self.url, "PRISMA_MIGRATIONS_PATH": self.dir,
                    "PRISMA_SCHEMA_ENGINE_BINARY": os.path.join(CACHE, "stub-schema-engine")})
        return subprocess.run([os.path.join(CACHE, "node_modules", ".bin", "prisma"), "migrate", *args, "--config",
                               os.path.join(CACHE, "prisma.config.ts")], cwd=CACHE, env=env, capture_output=True, text=True,
                              timeout=timeout)

    def assertPrisma(self, r, code, text=None):
        self.assertEqual(r.returncode, code, "prisma exit %d\n%s\n%s" % (r.returncode, r.stdout[-3000:], r.stderr[-3000:]))
        if text:
            self.assertIn(text, r.stdout + r.stderr)

    def test_migrate_guard_deploy_is_up_to_date_for_prisma(self):
        self.add("20240101000000_init", INIT)
        self.add("20240102000000_posts", POSTS, newline="crlf")
        self.assertExit(self.run_mg("deploy"), 0)
        self.assertPrisma(self.prisma("status"), 0, "Database schema is up to date!")
        self.assertPrisma(self.prisma("deploy"), 0, "No pending migrations to apply.")

    def test_prisma_deploy_is_up_to_date_for_migrate_guard(self):
        self.add("20240101000000_init", INIT)
        self.assertPrisma(self.prisma("deploy"), 0)
        self.assertExit(self.run_mg("status"), 0)
        self.add("20240102000000_posts", POSTS)
        r = self.run_mg("deploy")
        self.assertExit(r, 0)
        self.assertEqual(r.outputs["applied"], "20240102000000_posts")
        self.assertPrisma(self.prisma("status"), 0, "Database schema is up to date!")

    def concurrently(self, first, second, delay_until):
        """Starts `first`, waits until `delay_until()` is true (first holds the lock), runs `second`."""
        results = {}
        t = threading.Thread(target=lambda: results.setdefault("first", first()))
        t.start()
        deadline = time.time() + 30
        while not delay_until():
            self.assertLess(time.time(), deadline, "the first deploy never started its slow migration")
            time.sleep(0.05)
        results["second"] = second()
        t.join(timeout=60)
        return results["first"], results["second"]

    def slow_running(self):
        return self.q("SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(3)%' AND pid <> pg_backend_pid()") == "1"

    def test_prisma_waits_for_migrate_guard_lock(self):
        self.add("20240101000000_slow", "CREATE TABLE slow (id INT);\nSELECT pg_sleep(3);\n")
        mg_r, prisma_r = self.concurrently(lambda: self.run_mg("deploy"), lambda: self.prisma("deploy"), self.slow_running)
        self.assertExit(mg_r, 0)
        self.assertPrisma(prisma_r, 0)
        self.assertEqual(self.q("SELECT count(*) FROM _prisma_migrations"), "1")

    def test_migrate_guard_waits_for_prisma_lock(self):
        self.add("20240101000000_slow", "CREATE TABLE slow (id INT);\nSELECT pg_sleep(3);\n")
        prisma_r, mg_r = self.concurrently(lambda: self.prisma("deploy"), lambda: self.run_mg("deploy", "--lock-timeout", "30s"),
                                           self.slow_running)
        self.assertPrisma(prisma_r, 0)
        self.assertExit(mg_r, 0)
        self.assertIn("waiting for the migration lock", out(mg_r))
        self.assertIn("no pending migrations", out(mg_r))
        self.assertEqual(self.q("SELECT count(*) FROM _prisma_migrations"), "1")

    def test_failure_recorded_by_migrate_guard_is_resolved_by_prisma(self):
        self.add("20240101000000_init", INIT)
        self.add("20240102000000_bad", "CREATE TABLE half (id INT);\nSELECT 1/0;\n")
        self.assertExit(self.run_mg("deploy"), 4)
        self.assertPrisma(self.prisma("status"), 1, "20240102000000_bad")
        self.assertPrisma(self.prisma("deploy"), 1, "P3009")
        self.add("20240102000000_bad", "CREATE TABLE half (id INT);\n")
        self.assertPrisma(self.prisma("resolve", "--rolled-back", "20240102000000_bad"), 0)
        r = self.run_mg("deploy")
        self.assertExit(r, 0)
        self.assertEqual(r.outputs["applied"], "20240102000000_bad")
        self.assertPrisma(self.prisma("status"), 0, "Database schema is up to date!")

    def test_failure_recorded_by_prisma_is_resolved_by_migrate_guard(self):
        self.add("20240101000000_init", INIT)
        self.add("20240102000000_bad", "CREATE TABLE half (id INT);\nSELECT 1/0;\n")
        self.assertPrisma(self.prisma("deploy"), 1)
        r = self.run_mg("status")
        self.assertExit(r, 1)
        self.assertEqual(r.outputs["failed-count"], "1")
        self.assertEqual(self.q("SELECT to_regclass('half') IS NULL"), "t")
        self.assertExit(self.run_mg("deploy"), 1)
        self.q("CREATE TABLE half (id INT)")  # fixed by hand
        self.assertExit(self.run_mg("resolve", "--applied", "20240102000000_bad"), 0)
        self.assertPrisma(self.prisma("status"), 0, "Database schema is up to date!")
        self.assertPrisma(self.prisma("resolve", "--applied", "20240102000000_bad"), 1, "P3008")

    def test_failure_recorded_by_prisma_is_rolled_back_by_migrate_guard(self):
        self.add("20240101000000_init", INIT)
        self.add("20240102000000_bad", "CREATE TABLE half (id INT);\nSELECT 1/0;\n")
        self.assertPrisma(self.prisma("deploy"), 1)
        self.add("20240102000000_bad", "CREATE TABLE half (id INT);\n")  # the fix
        self.assertExit(self.run_mg("resolve", "--rolled-back", "20240102000000_bad"), 0)
        self.assertPrisma(self.prisma("deploy"), 0)
        self.assertEqual(self.q("SELECT to_regclass('half') IS NOT NULL"), "t")
        self.assertExit(self.run_mg("status"), 0)
        self.assertEqual(self.q("SELECT count(*) FROM _prisma_migrations WHERE migration_name = '20240102000000_bad' "
                                "AND rolled_back_at IS NOT NULL"), "1")

    def test_baselining_by_migrate_guard_is_accepted_by_prisma(self):
        self.q("CREATE TABLE users (id SERIAL PRIMARY KEY, email TEXT NOT NULL)")
        self.add("20240101000000_init", INIT)
        self.add("20240102000000_posts", POSTS)
        self.assertPrisma(self.prisma("deploy"), 1, "P3005")
        self.assertExit(self.run_mg("deploy"), 1)
        self.assertExit(self.run_mg("resolve", "--applied", "20240101000000_init"), 0)
        self.assertPrisma(self.prisma("deploy"), 0)
        self.assertExit(self.run_mg("status"), 0)


if __name__ == "__main__":
    unittest.main()
