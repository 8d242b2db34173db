"""lint's selections on a real git repository and a real PostgreSQL: --since (against the merge
base), --pending, --migration, --rules, and their usage errors."""
import os
import subprocess
import unittest

from mg import MigrateGuardTest, mg, out

INIT = 'CREATE TABLE "User" ("id" SERIAL PRIMARY KEY, "email" VARCHAR(100) NOT NULL);\n'
BAD_INDEX = 'CREATE INDEX "User_email_idx" ON "User"("email");\n'
OK = 'CREATE TABLE "Tag" ("id" SERIAL PRIMARY KEY);\n'


class LintSelectionTest(MigrateGuardTest):
    def git(self, *args):
        env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@t", GIT_COMMITTER_NAME="t",
                   GIT_COMMITTER_EMAIL="t@t", GIT_CONFIG_GLOBAL="/dev/null")
        r = subprocess.run(["git", "-C", self.tmp, *args], env=env, capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout.strip()

    def files_linted(self, r):
        self.assertIn("files", r.outputs, r.stderr)
        return int(r.outputs["files"])

    def test_since_lints_what_this_branch_changed_against_the_merge_base(self):
        self.git("init", "-q", "-b", "main")
        self.add("20240101000000_init", INIT)
        self.add("20240102000000_old_index", BAD_INDEX)  # already in production: not this change's business
        self.git("add", "-A")
        self.git("commit", "-qm", "base")
        self.git("checkout", "-qb", "feature")
        self.add("20240103000000_tag", OK)
        self.git("add", "-A")
        self.git("commit", "-qm", "feature")
        self.add("20240104000000_wip", BAD_INDEX.replace("User_email_idx", "User_email2_idx"))  # uncommitted: included
        r = mg("lint", "--dir", self.dir, "--since", "main")
        self.assertEqual(self.files_linted(r), 2, out(r))
        self.assertExit(r, 1)
        self.assertIn("20240104000000_wip", out(r))
        self.assertNotIn("20240102000000_old_index/migration.sql", out(r))
        r = mg("lint", "--dir", self.dir, "--since", "no-such-ref")
        self.assertExit(r, 2)
        self.assertIn("no-such-ref", r.stderr)

    def test_since_ignores_what_main_added_after_the_fork(self):
        self.git("init", "-q", "-b", "main")
        self.add("20240101000000_init", INIT)
        self.git("add", "-A")
        self.git("commit", "-qm", "base")
        self.git("checkout", "-qb", "feature")
        self.add("20240103000000_tag", OK)
        self.git("add", "-A")
        self.git("commit", "-qm", "feature")
        self.git("checkout", "-q", "main")
        self.add("20240102000000_main_index", BAD_INDEX)
        self.git("add", "-A")
        self.git("commit", "-qm", "main moves on")
        self.git("checkout", "-q", "feature")
        r = mg("lint", "--dir", self.dir, "--since", "main")
        self.assertExit(r, 0)
        self.assertEqual(self.files_linted(r), 1)

    def test_pending_and_migration_selections(self):
        self.add("20240101000000_init", INIT)
        self.add("20240102000000_index", BAD_INDEX)
        self.assertExit(self.run_mg("deploy"), 0)  # (lint skipped) both applied
        self.add("20240103000000_tag", OK)
        r = self.run_mg("lint", "--pending")
        self.assertExit(r, 0)
        self.assertEqual(self.files_linted(r), 1)
        r = self.run_mg("lint", "--migration", "20240102000000_index,20240103000000_tag")
        self.assertExit(r, 1)
        self.assertEqual(self.files_linted(r), 2)
        r = self.run_mg("lint", "--migration", "20990101000000_nope")
        self.assertExit(r, 2)
        self.assertIn("20990101000000_nope", r.stderr)
        r = self.run_mg("lint", "--pending", "--migration", "20240103000000_tag")
        self.assertExit(r, 2)
        self.assertIn("one of --since, --pending and --migration", r.stderr)

    def test_rules_lists_every_rule(self):
        r = mg("lint", "--rules", "--json")
        self.assertExit(r, 0)
        import json
        rules = json.loads(r.stdout[r.stdout.index("{"):])["rules"]
        names = {x["name"] for x in rules}
        self.assertGreaterEqual(len(names), 21)
        for name in ("require-concurrent-index-creation", "concurrently-in-multi-statement-file", "changing-column-type"):
            self.assertIn(name, names)


if __name__ == "__main__":
    unittest.main()
