"""scripts/drill/sample-api.sh, the API stand-in that deploy.sh (re)starts for the workflow tests and
the drill. The redeploy of BrokenReleaseTest failed on a loaded 2-core machine: the restart gave
the new server 5s (50 tries) to listen, less than a cold `python3` start through the pyenv shim can
take there. Here the machine's slowness is made deterministic: `python3` on PATH sleeps first."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

from yonima_test import free_port

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))
SAMPLE_API = os.path.join(ROOT, "scripts", "drill", "sample-api.sh")


class SampleApiTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="yonima-sample-api-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.addCleanup(subprocess.run, ["bash", SAMPLE_API, "stop", self.dir], capture_output=True, timeout=60)
        self.port = free_port()

    def sample_api(self, *args, slow=0):
        env = dict(os.environ)
        if slow:  # a loaded machine: every python3 start takes `slow` seconds
            bin_dir = os.path.join(self.dir, "slow-bin")
            os.makedirs(bin_dir, exist_ok=True)
            with open(os.path.join(bin_dir, "python3"), "w") as f:
                f.write("#!/bin/sh\nsleep %s\nexec %s \"$@\"\n" % (slow, sys.executable))
            os.chmod(os.path.join(bin_dir, "python3"), 0o755)
            env["PATH"] = bin_dir + os.pathsep + env["PATH"]
        return subprocess.run(["bash", SAMPLE_API, *args], env=env, capture_output=True, text=True, timeout=120)

    def health(self):
        try:
            with urllib.request.urlopen("http://127.0.0.1:%d/health" % self.port, timeout=10) as r:
                return r.status, json.load(r)
        except urllib.error.HTTPError as e:
            return e.code, json.load(e)

    def test_a_restart_serves_the_new_release_once_it_returns(self):
        p = self.sample_api("start", self.dir, str(self.port), "1.1.0", "broken")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.health()[0], 503)
        p = self.sample_api("start", self.dir, str(self.port), "1.0.0", "good")
        self.assertEqual(p.returncode, 0, p.stderr)
        status, body = self.health()  # no wait: start returns once the new server listens
        self.assertEqual((status, body["version"]), (200, "1.0.0"))

    def test_a_restart_on_a_slow_machine_waits_for_the_new_server(self):
        self.assertEqual(self.sample_api("start", self.dir, str(self.port), "1.1.0", "broken").returncode, 0)
        start = time.monotonic()
        p = self.sample_api("start", self.dir, str(self.port), "1.0.0", "good", slow=6)
        self.assertEqual(p.returncode, 0, p.stderr)  # was: "sample-api: did not start on port N"
        self.assertGreater(time.monotonic() - start, 6)
        status, body = self.health()
        self.assertEqual((status, body["version"]), (200, "1.0.0"))

    def test_a_server_that_cannot_start_fails_at_once_with_its_output(self):
        bin_dir = os.path.join(self.dir, "broken-bin")
        os.makedirs(bin_dir)
        # python3 whose port check passes but whose server dies at once (the bind lost to another process)
        with open(os.path.join(bin_dir, "python3"), "w") as f:
            f.write("#!/bin/sh\ncase \"$*\" in *http_service.py*) echo 'OSError: [Errno 98] Address in use' >&2; exit 1;; esac\n"
                    "exec %s \"$@\"\n" % sys.executable)
        os.chmod(os.path.join(bin_dir, "python3"), 0o755)
        env = dict(os.environ, PATH=bin_dir + os.pathsep + os.environ["PATH"])
        start = time.monotonic()
        p = subprocess.run(["bash", SAMPLE_API, "start", self.dir, str(self.port), "1.0.0", "good"], env=env,
                           capture_output=True, text=True, timeout=120)
        self.assertEqual(p.returncode, 1)
        self.assertIn("did not start on port %d" % self.port, p.stderr)
        self.assertIn("Address in use", p.stderr)
        self.assertLess(time.monotonic() - start, 30)  # not the whole 60s readiness bound


if __name__ == "__main__":
    unittest.main()
