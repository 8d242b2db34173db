"""`migrate-guard lint` as a user runs it, without a database: each finding is printed once on
stderr, an unknown --disable-rule is a one-line usage error naming the closest rule, and a large
migration is linted in bounded memory (RSS measured by the kernel, via the resource module)."""
import json
import os
import resource
import shutil
import subprocess
import tempfile
import unittest

from lint_support import BIN

BINARY = os.path.join(BIN, "migrate-guard")
INIT = 'CREATE TABLE "User" ("id" TEXT NOT NULL, "email" TEXT NOT NULL, CONSTRAINT "User_pkey" PRIMARY KEY ("id"));\n'
BAD = ('-- CreateIndex\nCREATE INDEX "User_email_idx" ON "User"("email");\n'
       '-- AlterTable\nALTER TABLE "User" ADD COLUMN "age" INTEGER NOT NULL;\n')


class LintCliTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="lint-cli-")
        self.dir = os.path.join(self.tmp, "migrations")
        os.mkdir(self.dir)
        with open(os.path.join(self.dir, "migration_lock.toml"), "w") as f:
            f.write('provider = "postgresql"\n')

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def add(self, name, sql):
        os.makedirs(os.path.join(self.dir, name))
        path = os.path.join(self.dir, name, "migration.sql")
        with open(path, "w") as f:
            f.write(sql)
        return path

    def lint(self, *args, env=None, actions=False):
        e = {k: v for k, v in os.environ.items() if not k.startswith(("INPUT_", "GITHUB_"))}
        if actions:
            e["GITHUB_ACTIONS"] = "true"
        e.update(env or {})
        return subprocess.run([BINARY, "lint", "--dir", self.dir, *args], env=e, capture_output=True, text=True,
                              timeout=120)

    def test_every_finding_is_printed_once(self):
        self.add("20240101000000_init", INIT)
        self.add("20240102000000_bad", BAD)
        self.add("notes", "SELECT 1;\n")  # a folder-name warning
        for actions in (False, True):
            with self.subTest(actions=actions):
                r = self.lint(actions=actions)
                self.assertEqual(r.returncode, 1, r.stderr)
                lines = (r.stdout + r.stderr).splitlines()
                for needle in ("require-concurrent-index-creation", "adding-required-field", "require-lock-timeout",
                               "'notes' is not named"):
                    printed = [l for l in lines if needle in l]
                    self.assertEqual(len(printed), 1, "%s printed %d times:\n%s" % (needle, len(printed), "\n".join(lines)))

    def test_unknown_disable_rule_is_a_one_line_usage_error(self):
        self.add("20240101000000_init", INIT)
        r = self.lint("--disable-rule", "require-lock-timout")
        self.assertEqual(r.returncode, 2, r.stderr)
        lines = [l for l in r.stderr.splitlines() if l.strip()]
        self.assertEqual(len(lines), 1, r.stderr)
        self.assertIn("unknown rule 'require-lock-timout'", lines[0])
        self.assertIn("did you mean require-lock-timeout?", lines[0])
        self.assertIn("ban-drop-column", lines[0])  # the known rules are listed
        # Through the input too, and in a comma-separated list with a valid name.
        r = self.lint(env={"INPUT_DISABLE-RULE": "ban-drop-table, no-such-rule"})
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("unknown rule 'no-such-rule'", r.stderr)
        self.assertNotIn("did you mean", r.stderr)  # nothing close
        r = self.lint("--disable-rule", "prefer-timestamptz,require-lock-timeout")
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_a_large_migration_is_linted_in_bounded_memory(self):
        # A seed migration of 48 MB: 1,200 INSERTs of 1,000 rows, French text included, and a
        # DDL statement at the end that must still be checked.
        self.add("20240101000000_init", INIT)
        path = self.add("20240102000000_seed", "")
        rows = ",\n".join("('u%%d-%d', 'Thiès, quartier n°%d; « été »')" % (j, j) for j in range(1000))
        with open(path, "w") as f:
            for i in range(1200):
                f.write('INSERT INTO "User" ("id", "email") VALUES\n' + (rows % tuple([i] * 1000)) + ";\n")
            f.write('ALTER TABLE "User" ADD COLUMN "age" INTEGER NOT NULL;\n')
        size = os.path.getsize(path)
        self.assertGreater(size, 40 << 20)
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        r = subprocess.run([BINARY, "lint", "--dir", self.dir, "--json"], capture_output=True, text=True, timeout=300)
        peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        self.assertGreaterEqual(peak_kb, before)
        self.assertEqual(r.returncode, 1, r.stderr[-2000:])
        result = json.loads(r.stdout)
        seed = [f for f in result["lint"]["files"] if "seed" in f["path"]][0]
        self.assertEqual(seed["statements"], 1201)
        self.assertEqual([x["rule"] for x in seed["findings"] if x["rule"] == "adding-required-field"],
                         ["adding-required-field"])
        self.assertEqual(seed["findings"][-1]["line"], 1200 * 1001 + 1)
        # The file is held a few times (read, linted); its parse trees never all at once. Before the
        # bound this file took over 5 GB.
        self.assertLess(peak_kb * 1024, 4 * size + (64 << 20), "peak RSS %d MB for a %d MB file" % (peak_kb >> 10, size >> 20))


if __name__ == "__main__":
    unittest.main()
