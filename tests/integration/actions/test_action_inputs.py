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
                self.assertEqual(action["runs"]["using"], "docker")
                self.assertEqual(action["runs"]["image"], "docker://ghcr.io/yonima/%s:v0" % tool)
                self.assertTrue(action.get("outputs"), "%s declares no outputs" % tool)


if __name__ == "__main__":
    unittest.main()
