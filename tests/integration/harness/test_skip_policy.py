"""The test harness's skip policy (tests/support/skip_policy.py, run_test.py): under CI a skip fails
the file with its reason; elsewhere it passes with a warning and the marker ctest reads as Skipped;
a failure is never reported as a skip."""
import os
import subprocess
import sys
import tempfile
import unittest

SUPPORT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "support"))

SKIPPING = '''import unittest
class T(unittest.TestCase):
    def test_ok(self):
        self.assertTrue(True)
    def test_needs_tool(self):
        self.skipTest("frobnicator is not installed")
if __name__ == "__main__":
    unittest.main()
'''

SKIPPING_CLASS = '''import unittest
class T(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        raise unittest.SkipTest("npm is not installed")
    def test_a(self):
        pass
if __name__ == "__main__":
    unittest.main()
'''

FAILING_AND_SKIPPING = SKIPPING.replace("self.assertTrue(True)", "self.assertTrue(False)")


class SkipPolicyTest(unittest.TestCase):
    def run_file(self, source, ci):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "test_sample.py")
            with open(path, "w") as f:
                f.write(source)
            env = {k: v for k, v in os.environ.items() if k != "CI"}
            env["PYTHONPATH"] = SUPPORT
            if ci:
                env["CI"] = "true"
            return subprocess.run([sys.executable, os.path.join(SUPPORT, "run_test.py"), path], env=env,
                                  capture_output=True, text=True, timeout=60)

    def test_skip_fails_under_ci_with_its_reason(self):
        for source, reason in ((SKIPPING, "frobnicator is not installed"), (SKIPPING_CLASS, "npm is not installed")):
            r = self.run_file(source, ci=True)
            self.assertEqual(r.returncode, 1, r.stderr)
            self.assertIn("skipped under CI", r.stderr)
            self.assertIn(reason, r.stderr)
            self.assertNotIn("YONIMA-TEST-SKIPPED", r.stderr + r.stdout)

    def test_skip_warns_and_marks_outside_ci(self):
        r = self.run_file(SKIPPING, ci=False)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("WARNING: test skipped", r.stderr)
        self.assertIn("YONIMA-TEST-SKIPPED", r.stderr)
        self.assertIn("frobnicator is not installed", r.stderr)

    def test_failure_is_never_hidden_behind_a_skip(self):
        r = self.run_file(FAILING_AND_SKIPPING, ci=False)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertNotIn("YONIMA-TEST-SKIPPED", r.stderr + r.stdout)


if __name__ == "__main__":
    unittest.main()
