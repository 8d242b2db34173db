"""Every actions/<tool>/action.yml declares exactly the inputs its binary reads, with the same
defaults and descriptions (the binary's --describe-inputs is the source of truth)."""
import glob
import json
import os
import subprocess
import unittest

import yaml

from yonima_test import BIN

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
VERSION = subprocess.run(["python3", os.path.join(ROOT, "scripts", "release-version.py"), "show"], capture_output=True,
                         text=True, check=True).stdout.strip()


class ActionInputsTest(unittest.TestCase):
    def test_every_action_matches_its_binary(self):
        actions = sorted(glob.glob(os.path.join(ROOT, "actions", "*", "action.yml")))
        self.assertGreaterEqual(len(actions), 1)
        for path in actions:
            tool = os.path.basename(os.path.dirname(path))
            binary = os.path.join(BIN, tool)
            if not os.path.exists(binary):
                self.fail("%s has no binary %s" % (path, binary))
            with self.subTest(tool=tool):
                with open(path) as f:
                    action = yaml.safe_load(f)
                described = json.loads(subprocess.run([binary, "--describe-inputs"], capture_output=True, text=True,
                                                      check=True).stdout)
                inputs = action["inputs"]
                self.assertEqual(sorted(inputs), sorted(d["name"] for d in described))
                for d in described:
                    self.assertEqual(str(inputs[d["name"]].get("default", "")), d["default"], d["name"])
                    self.assertTrue(inputs[d["name"]]["description"].startswith(d["description"]), d["name"])
                    # GitHub treats a missing `required` as false; the runner refuses the step
                    # before the binary starts when a required input is absent, so it must agree.
                    self.assertIs(inputs[d["name"]].get("required", False), d["required"], d["name"])
                if action["runs"]["using"] == "composite":
                    self.check_composite(tool, action, described)
                else:
                    self.assertEqual(action["runs"]["using"], "docker")
                    # By the release version, never a moving tag: test_release.py checks it against release.yml.
                    self.assertEqual(action["runs"]["image"], "docker://ghcr.io/yonima/%s:v%s" % (tool, VERSION))
                self.assertTrue(action.get("outputs"), "%s declares no outputs" % tool)

    def check_composite(self, tool, action, described):
        """A composite action (ota-publish: eas-cli needs Node) gets no INPUT_* from the runner: its
        step hands every input on as INPUT_<NAME> (scripts/action-inputs.py --env), and every output
        is the step's output of the same name."""
        self.assertEqual(tool, "ota-publish", "only ota-publish is a composite action (see docs/ota-publish.md)")
        [step] = [s for s in action["runs"]["steps"] if s.get("id") == "run"]
        env = step["env"]
        self.assertEqual(sorted(env), sorted("INPUT_" + d["name"].upper() for d in described))
        for d in described:
            self.assertEqual(env["INPUT_" + d["name"].upper()], "${{ inputs.%s }}" % d["name"])
        for name, output in action["outputs"].items():
            self.assertEqual(output["value"], "${{ steps.run.outputs.%s }}" % name)
        self.assertTrue(os.access(os.path.join(ROOT, "actions", tool, "run.sh"), os.X_OK))
        block = subprocess.run(["python3", os.path.join(ROOT, "scripts", "action-inputs.py"), "--env", os.path.join(BIN, tool)],
                               capture_output=True, text=True, check=True).stdout
        with open(os.path.join(ROOT, "actions", tool, "action.yml")) as f:
            self.assertIn(block, f.read())

    def test_required_inputs(self):
        """health-gate requires url and nothing else; the multi-command tools require their command
        (what one command needs is checked by the tool, as GitHub's `required` cannot depend on it)."""
        for tool in ["health-gate", "image-promote", "migrate-guard", "ota-publish", "pitr-restore"]:
            with self.subTest(tool=tool):
                described = json.loads(subprocess.run([os.path.join(BIN, tool), "--describe-inputs"],
                                                      capture_output=True, text=True, check=True).stdout)
                required = [d["name"] for d in described if d["required"]]
                with open(os.path.join(ROOT, "actions", tool, "action.yml")) as f:
                    inputs = yaml.safe_load(f)["inputs"]
                self.assertEqual(sorted(n for n, i in inputs.items() if i.get("required")), sorted(required))
                if tool == "health-gate":
                    self.assertEqual(required, ["url"])
                else:
                    self.assertIn("command", required)

    def test_generated_block_matches_action_yml(self):
        """scripts/action-inputs.py prints exactly the inputs: block that health-gate's action.yml holds."""
        script = os.path.join(ROOT, "scripts", "action-inputs.py")
        block = subprocess.run(["python3", script, os.path.join(BIN, "health-gate")], capture_output=True, text=True,
                               check=True).stdout
        with open(os.path.join(ROOT, "actions", "health-gate", "action.yml")) as f:
            text = f.read()
        start = text.index("\ninputs:\n") + 1
        end = text.index("\noutputs:\n") + 1
        self.assertEqual(text[start:end], block)


if __name__ == "__main__":
    unittest.main()
