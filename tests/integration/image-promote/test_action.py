"""actions/image-promote/action.yml declares exactly the inputs the binary reads (--describe-inputs)."""
import json
import os
import re
import subprocess
import unittest

from ip_fixture import BIN_ENV, ToolTest

ACTION = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "actions", "image-promote",
                      "action.yml")


def action_inputs(text):
    """Inputs of an action.yml as {name: {description, default}} (the flat layout this file uses)."""
    inputs, current, section = {}, None, None
    for line in text.splitlines():
        if re.match(r"^\S", line):
            section = line.rstrip(":")
            continue
        m = re.match(r"^  (\S+):\s*$", line)
        if section == "inputs" and m:
            current = inputs.setdefault(m.group(1), {})
            continue
        m = re.match(r"^    (description|default): (.*)$", line)
        if section == "inputs" and current is not None and m:
            current[m.group(1)] = json.loads(m.group(2))
    return inputs


class ActionTest(ToolTest):
    def test_inputs_match_the_binary(self):
        described = json.loads(subprocess.run([os.path.join(BIN_ENV, "image-promote"), "--describe-inputs"],
                                              capture_output=True, text=True, check=True).stdout)
        with open(ACTION) as f:
            text = f.read()
        inputs = action_inputs(text)
        self.assertEqual(sorted(inputs), sorted(o["name"] for o in described))
        for o in described:
            self.assertEqual(inputs[o["name"]]["default"], o["default"], o["name"])
            self.assertTrue(inputs[o["name"]]["description"].startswith(o["description"]), o["name"])
        for out in ("digest", "previous-digest", "platforms", "bytes-uploaded", "blobs-mounted"):
            self.assertIn("\n  %s:\n" % out, text)
        self.assertIn("image: docker://ghcr.io/yonima/image-promote:v0", text)


if __name__ == "__main__":
    unittest.main()
