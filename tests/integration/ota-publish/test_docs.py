"""docs/ota-publish.md documents every option (from the binary's own declaration), every output of
actions/ota-publish/action.yml, every check-config rule and the exit codes."""
import json
import os
import re
import subprocess
import unittest

import yaml

from ota_fixture import ROOT
from yonima_test import BIN

DOC = os.path.join(ROOT, "docs", "ota-publish.md")


class DocsTest(unittest.TestCase):
    def setUp(self):
        with open(DOC) as f:
            self.doc = f.read()

    def test_every_option_and_command(self):
        described = json.loads(subprocess.run([os.path.join(BIN, "ota-publish"), "--describe-inputs"], capture_output=True,
                                              text=True, check=True).stdout)
        for d in described:
            if d["name"] == "command":
                for c in d["description"].split(": ", 1)[1].split(", "):
                    self.assertIn("**%s**" % c if c != "check-config" else "check-config", self.doc)
                continue
            self.assertIn("`--%s" % d["name"], self.doc, d["name"])

    def test_every_output(self):
        with open(os.path.join(ROOT, "actions", "ota-publish", "action.yml")) as f:
            outputs = yaml.safe_load(f)["outputs"]
        for name in outputs:
            self.assertIn("`%s`" % name, self.doc, name)

    def test_every_rule_and_exit_code(self):
        with open(os.path.join(ROOT, "tools", "ota-publish", "eas_config.cpp")) as f:
            rules = re.findall(r'case ConfigRule::\w+: return "([a-z-]+)";', f.read())
        self.assertGreaterEqual(len(rules), 10)
        for rule in rules:
            self.assertIn("| `%s` |" % rule, self.doc)
        for code in range(5):
            self.assertIn("\n| %d |" % code, self.doc)


if __name__ == "__main__":
    unittest.main()
