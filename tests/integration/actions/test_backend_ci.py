"""workflows/backend-ci.yml run through the workflow runner on a pull request of a monorepo
(apps/api): the NestJS checks run the package.json scripts (or the given commands), and only the
migrations the pull request adds or edits are linted, their findings as annotations on the files."""
import json
import os
import shutil
import subprocess
import tempfile
import unittest

from workflow_runner import WorkflowRunner

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
BACKEND_CI = os.path.join(ROOT, "workflows", "backend-ci.yml")
BACKEND_DEPLOY = os.path.join(ROOT, "workflows", "backend-deploy.yml")
MIGRATIONS = os.path.join(ROOT, "scripts", "drill", "migrations")
BAD_INDEX = "SET lock_timeout = '5s';\nCREATE INDEX \"Place_name_idx\" ON \"Place\"(\"name\");\n"
GOOD_COLUMN = "SET lock_timeout = '5s';\nALTER TABLE \"Place\" ADD COLUMN \"note\" TEXT;\n"


class BackendCiTest(unittest.TestCase):
    def setUp(self):
        self.ws = tempfile.mkdtemp(prefix="yonima-ci-")
        self.addCleanup(shutil.rmtree, self.ws, True)
        api = os.path.join(self.ws, "apps", "api")
        os.makedirs(os.path.join(api, "prisma"))
        shutil.copytree(MIGRATIONS, os.path.join(api, "prisma", "migrations"))
        scripts = {"lint": "echo eslint-ran > lint.txt", "test": "echo jest-ran > test.txt",
                   "test:e2e": "echo e2e-ran > e2e.txt"}
        with open(os.path.join(api, "package.json"), "w") as f:
            json.dump({"name": "api", "version": "0.0.0", "private": True, "scripts": scripts}, f)
        with open(os.path.join(api, "package-lock.json"), "w") as f:
            json.dump({"name": "api", "version": "0.0.0", "lockfileVersion": 3, "requires": True,
                       "packages": {"": {"name": "api", "version": "0.0.0"}}}, f)
        self.api = api
        self.git("init", "-q", "-b", "main")
        self.git("add", "-A")
        self.git("commit", "-q", "-m", "main")
        self.base = self.git("rev-parse", "HEAD").strip()

    def git(self, *args):
        env = dict(os.environ, GIT_AUTHOR_NAME="dev", GIT_AUTHOR_EMAIL="d@example.com", GIT_COMMITTER_NAME="dev",
                   GIT_COMMITTER_EMAIL="d@example.com")
        return subprocess.run(["git", *args], cwd=self.ws, env=env, check=True, capture_output=True, text=True).stdout

    def pull_request(self, name, sql, workflow=BACKEND_CI, jobs_stubbed=None, **inputs):
        d = os.path.join(self.api, "prisma", "migrations", name)
        os.makedirs(d)
        with open(os.path.join(d, "migration.sql"), "w") as f:
            f.write(sql)
        self.git("add", "-A")
        self.git("commit", "-q", "-m", "pr")
        inputs.setdefault("working-directory", "apps/api")
        runner = WorkflowRunner(workflow, self.ws, inputs=inputs, jobs_stubbed=jobs_stubbed,
                                stubs={"actions/checkout": lambda ctx: 0, "actions/setup-node": lambda ctx: 0},
                                github={"event_name": "pull_request",
                                        "event": {"pull_request": {"base": {"sha": self.base}}}})
        try:
            return runner.run()
        finally:
            runner.close()

    def test_a_blocking_migration_fails_the_pull_request_with_an_annotation(self):
        r = self.pull_request("20261201000000_name_index", BAD_INDEX)
        self.assertEqual(r["checks"].result, "success", r.log())
        for out, text in (("lint.txt", "eslint-ran"), ("test.txt", "jest-ran"), ("e2e.txt", "e2e-ran")):
            with open(os.path.join(self.api, out)) as f:
                self.assertEqual(f.read().strip(), text)
        m = r["migrations"]
        self.assertEqual(m.step("changed").outputs["migrations"], "20261201000000_name_index")
        lint = m.step("Lint the changed migrations")
        self.assertEqual(lint.outcome, "failure")
        self.assertIn("::error file=apps/api/prisma/migrations/20261201000000_name_index/migration.sql,line=2", lint.log)
        self.assertIn("require-concurrent-index-creation", lint.log)

    def test_only_the_changed_migrations_are_linted(self):
        # The migrations already on main are not linted again; a clean new one passes.
        r = self.pull_request("20261201000000_note", GOOD_COLUMN)
        self.assertEqual(r["migrations"].result, "success", r.log())
        self.assertEqual(r["migrations"].step("changed").outputs["migrations"], "20261201000000_note")

    def test_commands_can_be_replaced(self):
        r = self.pull_request("20261201000000_note", GOOD_COLUMN, **{"test-command": "echo custom > test.txt",
                                                                     "lint-command": "false"})
        self.assertEqual(r["checks"].result, "failure")
        self.assertEqual(r["checks"].step("ESLint").outcome, "failure")
        self.assertEqual(r["checks"].step("Jest").outcome, "skipped")

    def test_backend_deploy_validates_the_same_way_in_a_monorepo(self):
        """backend-deploy's validate job, working-directory apps/api: the scripts run there and the
        push's new migration is linted (a path git takes from the repository root)."""
        r = self.pull_request("20261201000000_name_index", BAD_INDEX, workflow=BACKEND_DEPLOY,
                              # Only validate is under test: the jobs after it are marked failed, so skipped.
                              jobs_stubbed={"build": "failure"},
                              **{"image": "ghcr.io/acme/api", "health-url": "http://127.0.0.1:9/health",
                                 "deploy-command": "false"})
        v = r["validate"]
        self.assertEqual(v.step("changed").outputs["migrations"], "20261201000000_name_index", r.log())
        self.assertEqual(v.step("Lint the changed migrations").outcome, "failure")
        self.assertIn("::error file=apps/api/prisma/migrations/20261201000000_name_index/migration.sql,line=2",
                      v.step("Lint the changed migrations").log)
        with open(os.path.join(self.api, "test.txt")) as f:
            self.assertEqual(f.read().strip(), "jest-ran")
        for job in ("scan", "migrate", "deploy", "sentry"):
            self.assertEqual(r[job].result, "skipped", job)


if __name__ == "__main__":
    unittest.main()
