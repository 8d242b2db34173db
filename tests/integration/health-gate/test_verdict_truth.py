"""health-gate must not roll back a healthy deploy, hang past its windows, or tell the rollback hook
something other than what happened (a hostile tester's pass, session 7), against real HTTP services
on 127.0.0.1: a version that is also a secret's text, a version header with trailing spaces, a
--successes that cannot fit in --timeout, SIGTERM while the rollback runs, several URLs hanging
during --observe, a gate that never turned healthy, several --url with one failing, and an
--on-failure of several lines."""
import os
import signal
import subprocess
import tempfile
import time
import unittest

from yonima_test import BIN, HttpService, ToolTest, parse_github_output, run_tool

FAST = ["--interval", "100ms", "--request-timeout", "2s"]
OK = {"status": 200, "json": {"status": "ok"}}
DOWN = {"status": 503, "json": {"status": "error"}}


class VerdictTruthTest(ToolTest):
    @classmethod
    def setUpClass(cls):
        cls.svc = HttpService()
        cls.other = HttpService()

    @classmethod
    def tearDownClass(cls):
        cls.svc.stop()
        cls.other.stop()

    def gate(self, *args, **kw):
        return run_tool("health-gate", *args, **kw)

    def test_a_version_that_is_also_a_secret_still_matches(self):
        self.svc.set({"/health": [{"status": 200, "json": {"status": "ok", "version": "1.5.0-rc7"}}]})
        r = self.gate("--url", self.svc.url(), "--header", "X-Deploy-Version: ${DEPLOY_VERSION}",
                      "--expect-version", "1.5.0-rc7", "--timeout", "2s", *FAST, "--on-failure", "false",
                      env={"DEPLOY_VERSION": "1.5.0-rc7"})
        self.assertExit(r, 0)
        self.assertEqual(r.outputs["healthy"], "true")
        self.assertNotIn("1.5.0-rc7", r.outputs["served-version"])  # still shown redacted

    def test_a_version_header_with_trailing_spaces_matches(self):
        self.svc.set({"/health": [{"status": 200, "body": "ok", "headers": {"X-Version": "1.5.0  "}}]})
        r = self.gate("--url", self.svc.url(), "--version-from", "header:X-Version", "--expect-version", "1.5.0",
                      "--timeout", "2s", *FAST)
        self.assertExit(r, 0)

    def test_successes_that_cannot_fit_in_the_timeout_are_a_usage_error(self):
        r = self.gate("--url", self.svc.url(), "--successes", "3", "--interval", "1s", "--timeout", "2s",
                      "--on-failure", "false")
        self.assertExit(r, 2)
        self.assertIn("--successes 3", r.stderr)
        self.assertEqual(len([l for l in r.stderr.splitlines() if l.strip()]), 1, r.stderr)

    def test_sigterm_while_the_rollback_runs_reaches_it_and_is_reported(self):
        self.svc.set({"/health": [DOWN]})
        with tempfile.TemporaryDirectory() as d:
            marker = os.path.join(d, "hook")
            hook = ("sh -c 'trap \"echo got-term > %s; exit 143\" TERM; echo started > %s; "
                    "i=0; while [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done; echo finished > %s'" % (marker, marker, marker))
            out_file, sum_file = os.path.join(d, "output"), os.path.join(d, "summary")
            open(out_file, "w").close()
            open(sum_file, "w").close()
            env = {k: v for k, v in os.environ.items() if not k.startswith(("INPUT_", "GITHUB_"))}
            env.update({"GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": out_file, "GITHUB_STEP_SUMMARY": sum_file})
            proc = subprocess.Popen([os.path.join(BIN, "health-gate"), "--url", self.svc.url(), "--timeout", "300ms",
                                     *FAST, "--on-failure", hook], env=env, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True)
            # Bounded: 100 looks 50 ms apart for the hook to have started, then one SIGTERM to the tool only.
            for _ in range(100):
                if os.path.exists(marker):
                    break
                time.sleep(0.05)
            self.assertTrue(os.path.exists(marker))
            proc.send_signal(signal.SIGTERM)
            stdout, stderr = proc.communicate(timeout=30)
            with open(marker) as f:
                self.assertEqual(f.read().strip(), "got-term")  # the hook got it, and was not orphaned
            with open(out_file) as f:
                outputs = parse_github_output(f.read())
        self.assertEqual(proc.returncode, 4, stderr)
        self.assertEqual(outputs["rolled-back"], "false")
        self.assertEqual(outputs["on-failure-exit-code"], "143")
        self.assertIn("SIGTERM", stdout + stderr)

    def test_observation_is_bounded_by_its_window_whatever_the_urls_do(self):
        slow = [dict(OK, repeat=1), {"status": 200, "json": {"status": "ok"}, "delay_ms": 8000}]
        self.svc.set({"/a": slow, "/b": slow, "/c": slow})
        start = time.monotonic()
        r = self.gate("--url", self.svc.url("/a"), "--url", self.svc.url("/b"), "--url", self.svc.url("/c"),
                      "--timeout", "3s", "--observe", "1s", "--interval", "100ms", "--request-timeout", "3s")
        elapsed = time.monotonic() - start
        self.assertLess(elapsed, 6.5)  # the window and one request timeout (1 + 3 s), not 3 × 3 s
        self.assertExit(r, 1)  # hanging through the window is a failure, however the probes were cut
        self.assertIn("success rate", r.outputs["reason"])

    def test_a_service_that_hangs_through_a_short_window_fails_it(self):
        self.svc.set({"/health": [dict(OK, repeat=1), {"status": 200, "json": {"status": "ok"}, "delay_ms": 8000}]})
        r = self.gate("--url", self.svc.url(), "--timeout", "3s", "--observe", "1s", "--interval", "200ms",
                      "--request-timeout", "2s")
        self.assertExit(r, 1)
        self.assertEqual(r.outputs["healthy"], "false")

    def test_no_success_rate_for_a_gate_that_never_turned_healthy(self):
        self.svc.set({"/health": [DOWN]})
        r = self.gate("--url", self.svc.url(), "--timeout", "400ms", "--observe", "5m", *FAST)
        self.assertExit(r, 1)
        self.assertNotIn("observed-success-rate", r.outputs)

    def test_the_rollback_hook_is_told_the_failing_url_not_the_last_one_probed(self):
        self.svc.set({"/health": [DOWN]})
        self.other.set({"/health": [OK]})
        with tempfile.TemporaryDirectory() as d:
            marker = os.path.join(d, "env")
            r = self.gate("--url", self.svc.url(), "--url", self.other.url(), "--timeout", "400ms", *FAST,
                          "--on-failure", "sh -c 'echo \"$HEALTH_GATE_URL|$HEALTH_GATE_LAST_STATUS\" > %s'" % marker)
            self.assertExit(r, 1)
            with open(marker) as f:
                url, status = f.read().strip().split("|")
        self.assertEqual(url, self.svc.url())
        self.assertEqual(status, "503")
        self.assertEqual(r.outputs["last-status"], "503")

    def test_an_on_failure_of_several_lines_is_refused(self):
        r = self.gate("--url", self.svc.url(), "--timeout", "400ms", *FAST,
                      env={"INPUT_ON-FAILURE": "echo one\necho two"})
        self.assertExit(r, 2)
        self.assertIn("one line", r.stderr)


if __name__ == "__main__":
    unittest.main()
