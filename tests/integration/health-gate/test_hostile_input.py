"""health-gate (the shipped binary) against a hostile or broken service and hostile inputs (issue 9,
items 15, 16, 18-22, 24). Every case was reproduced against the binary before the fix: an internal
error (exit 3) instead of a verdict, a segfault, a raw workflow command, a leaked secret."""
import json
import os
import re
import subprocess
import sys
import tempfile

from yonima_test import BIN, HttpService, ToolTest, run_tool, without_masks

FAST = ["--interval", "100ms", "--request-timeout", "2s", "--timeout", "400ms"]


def hook_writing(path):
    """An --on-failure hook that records HEALTH_GATE_REASON in `path`."""
    return "sh -c 'printf %s \"$HEALTH_GATE_REASON\" > " + path + "'"


def command_lines(text):
    """Lines the Actions runner would execute as workflow commands (it ignores leading blanks)."""
    return [l for l in text.splitlines() if l.lstrip().startswith("::")]


class HostileServiceTest(ToolTest):
    @classmethod
    def setUpClass(cls):
        cls.svc = HttpService()

    @classmethod
    def tearDownClass(cls):
        cls.svc.stop()

    def gate_with_rollback(self, *args, **kw):
        """Runs the gate with a recording rollback; returns (result, reason the hook received)."""
        with tempfile.TemporaryDirectory() as d:
            marker = os.path.join(d, "reason")
            r = run_tool("health-gate", "--url", self.svc.url(), *FAST, "--on-failure", hook_writing(marker), *args, **kw)
            reason = None
            if os.path.exists(marker):
                with open(marker, "rb") as f:
                    reason = f.read().decode("utf-8")
        return r, reason

    def assertVerdict(self, r, reason):
        """An unhealthy answer is a verdict: exit 1 and the rollback ran, never an internal error."""
        self.assertExit(r, 1)
        self.assertIsNotNone(reason, "the --on-failure rollback did not run")
        self.assertNotIn("internal error", r.stderr)
        self.assertEqual(r.outputs["rolled-back"], "true")

    def test_french_and_chinese_bodies_cut_mid_character(self):
        # 119 ASCII bytes, then "é": the 120-character cut used to split it and the JSON writer threw.
        for body in ["x" * 119 + "é base de données indisponible à Thiès", "数据库" * 60]:
            with self.subTest(body=body[:20]):
                self.svc.set({"/health": [{"status": 503, "body": body}]})
                r, reason = self.gate_with_rollback("--json")
                self.assertVerdict(r, reason)
                result = json.loads(r.stdout)
                self.assertFalse(result["healthy"])
                self.assertIn(reason.split(" (")[0][:40], result["outputs"]["reason"])
                self.assertTrue(reason.startswith("503 from /health: " + body[:10]), reason)

    def test_terminus_message_in_french(self):
        self.svc.set({"/health": [{"status": 503, "json": {"status": "error", "error": {
            "base de données": {"status": "down", "message": "base de données indisponible (Thiès)"}}}}]})
        r, reason = self.gate_with_rollback("--json")
        self.assertVerdict(r, reason)
        self.assertTrue(reason.startswith("503 from /health: base de données is down (base de données indisponible (Thiès))"), reason)

    def test_invalid_utf8_body(self):
        self.svc.set({"/health": [{"status": 503, "body_hex": (b"base de donn\xe9es \xff\xfe indisponible" * 10).hex()}]})
        r, reason = self.gate_with_rollback("--json")
        self.assertVerdict(r, reason)
        self.assertIn("base de donn\\xe9es \\xff\\xfe", reason)
        json.loads(r.stdout)  # still one valid JSON object

    def test_megabyte_of_nested_arrays(self):
        # 1 MiB of [[[[...]]]] under "message" made dump() recurse 500,000 levels: SIGSEGV.
        depth = (1 << 19) - 8
        self.svc.set({"/health": [{"status": 503, "body": '{"message":' + "[" * depth + "]" * depth + "}"}]})
        r, reason = self.gate_with_rollback()
        self.assertVerdict(r, reason)
        self.svc.set({"/health": [{"status": 200, "body": "[" * depth + "]" * depth}]})
        r, reason = self.gate_with_rollback("--expect-json", "/status=ok")
        self.assertVerdict(r, reason)
        self.assertIn("nested deeper than 64 levels", reason)

    def test_json_pointer_index_beyond_size_max(self):
        self.svc.set({"/health": [{"status": 200, "json": {"items": [1]}}]})
        r, reason = self.gate_with_rollback("--expect-json", "/items/99999999999999999999999=1")
        self.assertVerdict(r, reason)
        self.assertIn("/items/99999999999999999999999 is missing", reason)

    def test_workflow_commands_in_bodies_are_neutralised(self):
        # A Terminus message, a plain body and a version string each try to start a line with a
        # workflow command, plus ESC and NUL; nothing of it reaches stdout or stderr raw.
        evil = "down\n::add-mask::everything\r\n::error::pwned\x1b[2J\x00"
        cases = [
            ({"status": 503, "json": {"status": "error", "error": {"database": {"status": "down", "message": evil}}}}, []),
            ({"status": 503, "body": evil}, []),
            ({"status": 200, "json": {"version": evil}}, ["--expect-version", "1.5.0"]),
        ]
        for step, extra in cases:
            for json_mode in ([], ["--json"]):
                with self.subTest(step=step, json_mode=json_mode):
                    self.svc.set({"/health": [step]})
                    r, reason = self.gate_with_rollback("--verbose", *extra, *json_mode)
                    self.assertVerdict(r, reason)
                    for text in (r.stdout, r.stderr):
                        for line in command_lines(text):
                            self.assertFalse(re.match(r"\s*::(add-mask::everything|error::pwned)", line), line)
                        self.assertNotIn("\x1b", text)
                        self.assertNotIn("\x00", text)
                    # The hook's environment is one line too.
                    self.assertNotIn("\n", reason)
                    self.assertNotIn("\x1b", reason)

    def test_secret_reflected_in_the_body_is_redacted_for_the_rollback(self):
        token = "refl-" + "t0k3n" * 4
        self.svc.set({"/health": [{"status": 503, "body": "bad key: " + token}]})
        r, reason = self.gate_with_rollback("--header", "X-Api-Key: ${HG_KEY}", env={"HG_KEY": token})
        self.assertVerdict(r, reason)
        self.assertIn("bad key: ***", reason)
        for text in (reason, without_masks(r.stdout), r.stderr, r.summary, json.dumps(r.outputs)):
            self.assertNotIn(token, text)

    def test_secret_headers_stay_with_their_origin_on_redirects(self):
        # 127.0.0.1 and localhost are different origins; the same host and port is the same origin.
        other = HttpService({"/health": [{"status": 200, "json": {"status": "ok"}}]})
        try:
            target = "http://localhost:%d/health" % other.port
            self.svc.set({"/away": [{"status": 302, "redirect": target, "body": "moved to " + target}],
                          "/here": [{"status": 302, "redirect": "/health"}],
                          "/health": [{"status": 200, "json": {"status": "ok"}}]})
            key, custom, auth = "key-" + "a1" * 8, "cus-" + "b2" * 8, "auth-" + "c3" * 8
            args = ["--follow-redirects", "--expect-json", "/status=ok", "--header", "X-Api-Key: " + key, "--header", "X-Custom: ${HG_CUSTOM}",
                    "--header", "Authorization: Bearer " + auth, "--header", "X-Plain: visible"]
            r = run_tool("health-gate", "--url", self.svc.url("/away"), *FAST, *args, env={"HG_CUSTOM": custom})
            self.assertExit(r, 0)
            seen = other.headers_seen()["/health"]
            self.assertEqual(seen.get("x-plain"), "visible")
            for name in ("x-api-key", "x-custom", "authorization"):
                self.assertNotIn(name, seen, "secret header %s followed the redirect to another origin" % name)
            # Same origin: the headers are still sent.
            r = run_tool("health-gate", "--url", self.svc.url("/here"), *FAST, *args, env={"HG_CUSTOM": custom})
            self.assertExit(r, 0)
            seen = self.svc.headers_seen()["/health"]
            self.assertEqual(seen.get("x-api-key"), key)
            self.assertEqual(seen.get("x-custom"), custom)
        finally:
            other.stop()

    def test_hook_writing_one_endless_line_stays_bounded(self):
        # 64 MiB without a newline: the capture keeps a bounded tail and the echo cuts the line.
        self.svc.set({"/health": [{"status": 503, "body": "down"}]})
        hook = "sh -c 'head -c 67108864 /dev/zero | tr \"\\\\000\" x'"
        script = ("import json,resource,subprocess,sys;"
                  "p=subprocess.run(sys.argv[1:],capture_output=True);"
                  "print(json.dumps({'code':p.returncode,'stderr_bytes':len(p.stderr),"
                  "'rss':resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))")
        proc = subprocess.run([sys.executable, "-c", script, os.path.join(BIN, "health-gate"), "--url", self.svc.url(),
                               *FAST, "--on-failure", hook], capture_output=True, text=True, timeout=120)
        run = json.loads(proc.stdout.strip().splitlines()[-1])
        self.assertEqual(run["code"], 1, run)
        self.assertLess(run["stderr_bytes"], 1 << 20, run)
        # RSS of the largest child: head/tr are tiny; health-gate kept 300 MB before.
        self.assertLess(run["rss"], 48 * 1024, "health-gate used %d KiB" % run["rss"])


class HostileOptionsTest(ToolTest):
    def usage(self, *args, env=None):
        r = run_tool("health-gate", *args, env=env)
        self.assertExit(r, 2)
        lines = r.stderr.strip().splitlines()
        self.assertEqual(len(lines), 1, r.stderr)
        return lines[0]

    def test_the_verdict_is_said_once_and_still_recorded(self):
        # Outside Actions the verdict's annotation was logged, then the verdict line: twice.
        r = run_tool("health-gate", "--url", "http://127.0.0.1:1/health", "--timeout", "1s", "--interval", "500ms", "--json",
                     actions=False)
        self.assertExit(r, 1)
        said = [l for l in r.stderr.splitlines() if "connection refused 2 times" in l]
        self.assertEqual(len(said), 1, r.stderr)
        self.assertTrue(said[0].startswith("health-gate: error: NOT healthy: "), said)
        self.assertTrue(any("connection refused 2 times" in a["message"] for a in r.json()["annotations"]))

    def test_unknown_flag_in_our_words(self):
        line = self.usage("--url", "http://127.0.0.1:1/", "--timout", "5s")
        hint = " (what to do: see 'health-gate --help' for the options)"  # on the same line
        self.assertEqual(line, "health-gate: unknown option --timout; did you mean --timeout?" + hint)
        line = self.usage("--url", "http://127.0.0.1:1/", "--expect-jsn=/status=ok")
        self.assertEqual(line, "health-gate: unknown option --expect-jsn; did you mean --expect-json?" + hint)

    def test_help_command(self):
        r = run_tool("health-gate", "help")
        self.assertExit(r, 0)
        self.assertIn("--expect-json", r.stdout)
        self.assertIn("Examples:", r.stdout)

    def test_long_option_values_do_not_crash(self):
        # cxxopts' std::regex recursed per character: SIGSEGV past ~32.6 KB in `--option=VALUE`.
        big = "http://127.0.0.1:1/" + "x" * 100_000
        r = run_tool("health-gate", "--url=" + big, *FAST)
        self.assertExit(r, 1)
        line = self.usage("--url=" + "http://127.0.0.1:1/", "--expect-status=" + "9" * 100_000)
        self.assertLess(len(line), 400)
        line = self.usage("--url", "http://127.0.0.1:1/", "--" + "y" * 100_000)
        self.assertLess(len(line), 400)
        line = self.usage("--url", "http://127.0.0.1:1/", "--expect-body=(" + "z" * 100_000)
        self.assertLess(len(line), 400)

    def test_validation_gaps_are_usage_errors(self):
        url = ["--url", "http://127.0.0.1:1/"]
        self.assertIn("--min-success-rate: 'nan'", self.usage(*url, "--observe", "1s", "--min-success-rate", "nan"))
        self.assertIn("--min-success-rate: 'inf'", self.usage(*url, "--min-success-rate=inf"))
        self.assertIn("INPUT_SUCCESSES: 'abc' is not a whole number", self.usage(*url, env={"INPUT_SUCCESSES": "abc"}))
        self.assertIn("INPUT_TIMEOUT: 'soon' is not a duration", self.usage(*url, env={"INPUT_TIMEOUT": "soon"}))
        for bad in ["yes", "1", "on", "tRuE"]:
            self.assertIn("INPUT_FOLLOW-REDIRECTS: '%s' is not a boolean" % bad,
                          self.usage(*url, env={"INPUT_FOLLOW-REDIRECTS": bad}))

    def test_inputs_are_trimmed_and_booleans_read_as_actions_does(self):
        svc = HttpService({"/health": [{"status": 200, "json": {"status": "ok"}}]})
        try:
            for value in ["True", "TRUE", " true\n"]:
                r = run_tool("health-gate", *FAST, env={"INPUT_URL": "  %s \n" % svc.url(), "INPUT_JSON": value,
                                                       "INPUT_SUCCESSES": " 1 "})
                self.assertExit(r, 0)
                self.assertIs(r.json()["outputs"]["healthy"], True)
        finally:
            svc.stop()

    def test_interval_not_shorter_than_timeout_warns(self):
        r = run_tool("health-gate", "--url", "http://127.0.0.1:1/", "--interval", "5s", "--timeout", "1s")
        self.assertExit(r, 1)
        self.assertIn("::warning title=health-gate::--interval 5s is not shorter than --timeout 1s", r.stdout)
        r = run_tool("health-gate", "--url", "http://127.0.0.1:1/", "--interval", "5s", "--timeout", "1s", actions=False)
        self.assertIn("warning: --interval 5s is not shorter than --timeout 1s", r.stderr)

    def test_malformed_secret_header_is_never_echoed(self):
        secret = "X-Api-Key " + "s3cr3t" * 4  # the colon forgotten
        r = run_tool("health-gate", "--url", "http://127.0.0.1:1/", "--header", secret, "--json")
        self.assertExit(r, 2)
        self.assertIn("--header #1 must look like 'Name: value'", r.json()["message"])
        for text in (r.stdout, without_masks(r.stderr), r.summary, json.dumps(r.outputs)):
            self.assertNotIn("s3cr3t", text)


if __name__ == "__main__":
    import unittest
    unittest.main()
