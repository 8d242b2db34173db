"""health-gate, the shipped static binary, against a real HTTP service on 127.0.0.1."""
import json
import os
import resource
import subprocess
import tempfile
import time
import unittest

from tls import make_test_ca
from yonima_test import BIN, HttpService, ToolTest, free_port, run_tool, without_masks

FAST = ["--interval", "100ms", "--request-timeout", "2s"]
OK = {"status": 200, "json": {"status": "ok", "info": {"database": {"status": "up"}}, "error": {}, "details": {}}}
DOWN = {"status": 503, "json": {"status": "error", "info": {},
                                "error": {"database": {"status": "down", "message": "connect ECONNREFUSED 127.0.0.1:5432"}},
                                "details": {"database": {"status": "down"}}}}


def version(v, status=200):
    return {"status": status, "json": {"status": "ok", "version": v}}


class HealthGateTest(ToolTest):
    @classmethod
    def setUpClass(cls):
        cls.svc = HttpService()

    @classmethod
    def tearDownClass(cls):
        cls.svc.stop()

    def gate(self, *args, **kw):
        return run_tool("health-gate", *args, **kw)

    def test_healthy_first_try(self):
        self.svc.set({"/health": [OK]})
        r = self.gate("--url", self.svc.url(), "--expect-json", "/status=ok", *FAST)
        self.assertExit(r, 0)
        self.assertEqual(r.outputs["healthy"], "true")
        self.assertEqual(r.outputs["attempts"], "1")
        self.assertEqual(r.outputs["last-status"], "200")
        self.assertIn("### health-gate: healthy", r.summary)

    def test_healthy_after_failures_with_consecutive_successes(self):
        self.svc.set({"/health": [dict(DOWN, repeat=3), dict(OK, repeat=1), dict(DOWN, repeat=1), OK]})
        r = self.gate("--url", self.svc.url(), "--successes", "2", "--timeout", "20s", *FAST)
        self.assertExit(r, 0)
        # 3 down, 1 up, 1 down (streak broken), then 2 up in a row.
        self.assertEqual(r.outputs["attempts"], "7")

    def test_never_healthy_runs_rollback_with_failure_details(self):
        self.svc.set({"/health": [DOWN]})
        with tempfile.TemporaryDirectory() as d:
            marker = os.path.join(d, "rolled-back")
            hook = "sh -c 'printf \"%s|%s|%s\" \"$HEALTH_GATE_REASON\" \"$HEALTH_GATE_LAST_STATUS\" \"$HEALTH_GATE_PHASE\" > " + marker + "'"
            r = self.gate("--url", self.svc.url(), "--timeout", "1s", "--on-failure", hook, *FAST)
            self.assertExit(r, 1)
            with open(marker) as f:
                reason, status, phase = f.read().split("|")
        self.assertTrue(reason.startswith("503 from /health: database is down (connect ECONNREFUSED 127.0.0.1:5432)"), reason)
        self.assertEqual(status, "503")
        self.assertEqual(phase, "probe")
        self.assertEqual(r.outputs["healthy"], "false")
        self.assertEqual(r.outputs["rolled-back"], "true")
        self.assertIn("database is down", r.outputs["reason"])
        self.assertIn("::error title=health-gate%3A rolled back::", r.stdout)

    def test_rollback_failure_is_exit_4(self):
        self.svc.set({"/health": [DOWN]})
        r = self.gate("--url", self.svc.url(), "--timeout", "500ms", "--on-failure", "sh -c 'echo rollback broke >&2; exit 7'", *FAST)
        self.assertExit(r, 4)
        self.assertIn("the rollback exited with code 7", r.stdout)  # the ::error annotation
        self.assertIn("roll back by hand", r.stderr)
        self.assertEqual(r.outputs["on-failure-exit-code"], "7")
        self.assertEqual(r.outputs["rolled-back"], "false")

    def test_rollback_killed_by_a_signal_is_exit_4_with_the_shell_code(self):
        self.svc.set({"/health": [DOWN]})
        r = self.gate("--url", self.svc.url(), "--timeout", "500ms", "--on-failure", "sh -c 'kill -SEGV $$'", *FAST)
        self.assertExit(r, 4)
        self.assertIn("killed by SIGSEGV (signal 11)", r.stdout)
        self.assertEqual(r.outputs["on-failure-exit-code"], "139")
        self.assertEqual(r.outputs["rolled-back"], "false")

    def test_never_healthy_without_rollback_is_exit_1(self):
        self.svc.set({"/health": [{"status": 500, "body": "boom"}]})
        r = self.gate("--url", self.svc.url(), "--timeout", "400ms", *FAST)
        self.assertExit(r, 1)
        self.assertTrue(r.outputs["reason"].startswith("500 from /health: boom"), r.outputs["reason"])

    def test_on_success_runs(self):
        self.svc.set({"/health": [OK]})
        with tempfile.TemporaryDirectory() as d:
            marker = os.path.join(d, "ok")
            r = self.gate("--url", self.svc.url(), "--on-success", "sh -c 'echo $HEALTH_GATE_HEALTHY > " + marker + "'", *FAST)
            self.assertExit(r, 0)
            with open(marker) as f:
                self.assertEqual(f.read().strip(), "true")

    def test_version_switch_mid_run(self):
        # Old instances answer first, then the new version takes over.
        self.svc.set({"/health": [dict(version("1.4.1"), repeat=4), version("1.5.0")]})
        r = self.gate("--url", self.svc.url(), "--expect-version", "1.5.0", "--timeout", "20s", *FAST)
        self.assertExit(r, 0)
        self.assertEqual(r.outputs["attempts"], "5")
        self.assertEqual(r.outputs["served-version"], "1.5.0")

    def test_old_version_never_replaced(self):
        self.svc.set({"/health": [version("1.4.1")]})
        r = self.gate("--url", self.svc.url(), "--expect-version", "1.5.0", "--timeout", "1s", *FAST)
        self.assertExit(r, 1)
        n = r.outputs["attempts"]
        self.assertEqual(r.outputs["reason"], "1.4.1 answered, expected 1.5.0 (%s of %s answers were the old version)" % (n, n))

    def test_version_from_header(self):
        self.svc.set({"/health": [{"status": 200, "body": "ok", "headers": {"X-App-Version": "2.0.0"}}]})
        r = self.gate("--url", self.svc.url(), "--expect-version", "2.0.0", "--version-from", "header:x-app-version", *FAST)
        self.assertExit(r, 0)

    def test_latency_gate(self):
        self.svc.set({"/health": [dict(OK, delay_ms=300)]})
        r = self.gate("--url", self.svc.url(), "--max-latency", "100ms", "--timeout", "1s", *FAST)
        self.assertExit(r, 1)
        self.assertIn("slower than 100ms", r.outputs["reason"])

    def test_observe_window_with_failure_spike(self):
        # Healthy at first, then a burst of 503s during the observation window.
        self.svc.set({"/health": [dict(OK, repeat=2), dict(DOWN, repeat=4), OK]})
        r = self.gate("--url", self.svc.url(), "--observe", "1s", "--min-success-rate", "90%", "--timeout", "10s", *FAST)
        self.assertExit(r, 1)
        self.assertTrue(r.outputs["reason"].startswith("success rate "), r.outputs["reason"])
        self.assertIn("database is down", r.outputs["reason"])
        self.assertLess(float(r.outputs["observed-success-rate"]), 0.9)

    def test_observe_window_passes(self):
        self.svc.set({"/health": [OK]})
        r = self.gate("--url", self.svc.url(), "--observe", "500ms", "--max-p95-latency", "2s", *FAST)
        self.assertExit(r, 0)
        self.assertEqual(r.outputs["observed-success-rate"], "1.0")
        self.assertGreater(int(r.outputs["attempts"]), 2)

    def test_all_urls_must_be_healthy(self):
        self.svc.set({"/health": [OK], "/ready": [{"status": 503, "body": "warming up"}]})
        r = self.gate("--url", self.svc.url(), "--url", self.svc.url("/ready"), "--timeout", "500ms", *FAST)
        self.assertExit(r, 1)
        self.assertIn("/ready", r.outputs["reason"])

    def test_connection_refused(self):
        port = free_port()
        r = self.gate("--url", "http://127.0.0.1:%d/health" % port, "--timeout", "1s", *FAST)
        self.assertExit(r, 1)
        self.assertRegex(r.outputs["reason"], r"^connection refused \d+ times in [0-9.]+m?s \(http://127.0.0.1:%d/health\)$" % port)

    def test_unresolvable_host(self):
        # .invalid never resolves (RFC 6761); no packet leaves the machine for it beyond the resolver.
        r = self.gate("--url", "http://health-gate-test.invalid/health", "--timeout", "1s", *FAST,
                      env={"RES_OPTIONS": "attempts:1 timeout:1"})
        self.assertExit(r, 1)
        self.assertTrue(r.outputs["reason"].startswith("host not found"), r.outputs["reason"])

    def test_request_timeout(self):
        self.svc.set({"/health": [dict(OK, delay_ms=1500)]})
        r = self.gate("--url", self.svc.url(), "--request-timeout", "200ms", "--interval", "100ms", "--timeout", "1s")
        self.assertExit(r, 1)
        self.assertTrue(r.outputs["reason"].startswith("timed out"), r.outputs["reason"])

    def test_huge_body_memory_is_bounded(self):
        # 10 MB of "x": the body is cut at 1 MiB, and --expect-body still matches the part kept
        # (std::regex used to recurse per character here and crash).
        self.svc.set({"/health": [{"status": 200, "body_bytes": 10 * 1024 * 1024}]})
        script = ("import json,resource,subprocess,sys;"
                  "p=subprocess.run(sys.argv[1:],capture_output=True,text=True);"
                  "print(json.dumps({'code':p.returncode,'stdout':p.stdout,'stderr':p.stderr,"
                  "'rss':resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))")
        proc = subprocess.run(["python3", "-c", script, os.path.join(BIN, "health-gate"), "--url", self.svc.url(),
                               "--expect-body", "^x+$", "--json", "--timeout", "10s", *FAST],
                              capture_output=True, text=True, timeout=60)
        run = json.loads(proc.stdout.strip().splitlines()[-1])
        self.assertEqual(run["code"], 0, run)
        result = json.loads(run["stdout"])
        self.assertTrue(result["healthy"])
        self.assertIs(result["outputs"]["healthy"], True)
        self.assertEqual(result["outputs"]["attempts"], 1)
        self.assertLess(run["rss"], 40 * 1024, "health-gate used %d KiB for a 10 MB body" % run["rss"])

    def test_body_pattern_that_backtracks_forever_gives_up(self):
        # Catastrophic backtracking is cut off by PCRE2's match limit: an unhealthy probe with the
        # reason, not a hang or a crash.
        self.svc.set({"/health": [{"status": 200, "body": "x" * 40 + "!"}]})
        started = time.monotonic()
        r = self.gate("--url", self.svc.url(), "--expect-body", "^(x+x+)+$", "--timeout", "300ms", *FAST)
        self.assertExit(r, 1)
        self.assertLess(time.monotonic() - started, 30)
        self.assertIn("match limit", r.outputs["reason"])

    def test_body_pattern_is_pcre(self):
        self.svc.set({"/health": [{"status": 200, "body": "build 2024-06-01 ready\n"}]})
        r = self.gate("--url", self.svc.url(), "--expect-body", r"(?i)\bREADY$", *FAST)
        self.assertExit(r, 0)
        r = self.gate("--url", self.svc.url(), "--expect-body", r"^\d{4}-", "--timeout", "300ms", *FAST)
        self.assertExit(r, 1)
        self.assertIn("body does not match", r.outputs["reason"])

    def test_redirect_loop_not_followed_by_default(self):
        self.svc.set({"/loop": [{"status": 302, "redirect": "/loop"}]})
        r = self.gate("--url", self.svc.url("/loop"), "--timeout", "300ms", *FAST)
        self.assertExit(r, 1)
        self.assertTrue(r.outputs["reason"].startswith("302 from /loop"), r.outputs["reason"])
        r = self.gate("--url", self.svc.url("/loop"), "--follow-redirects", "--timeout", "300ms", *FAST)
        self.assertExit(r, 1)
        self.assertTrue(r.outputs["reason"].startswith("too many redirects"), r.outputs["reason"])

    def test_secret_header_from_environment_never_printed(self):
        self.svc.set({"/health": [DOWN]})
        token = "tok-" + "s3cr3t" * 4
        r = self.gate("--url", self.svc.url(), "--header", "Authorization: Bearer ${HG_TOKEN}", "--timeout", "300ms",
                      "--on-failure", "sh -c 'echo leaked: $HEALTH_GATE_REASON Bearer " + "${HG_TOKEN}'", "--verbose", "--json",
                      *FAST, env={"HG_TOKEN": token})
        self.assertExit(r, 1)
        # With --json, stdout is exactly one JSON object: the masks and other workflow commands go
        # to stderr, which the runner reads too.
        result = r.json()
        self.assertFalse(result["healthy"])
        self.assertEqual(result["exit_code"], 1)
        self.assertIn("::add-mask::" + token, r.stderr.splitlines())  # the runner is told to mask it
        self.assertNotIn("::", r.stdout)
        unmasked = "\n".join(l for l in r.stderr.splitlines() if not l.startswith("::add-mask::"))
        for text in (r.stdout, unmasked, r.summary, json.dumps(r.outputs)):
            self.assertNotIn(token, text)

    def test_multi_line_secret_is_masked_line_by_line(self):
        # A value with line breaks cannot be a header, but the runner must learn every line of it
        # before the tool says so.
        lines = ["first-" + "k3y" * 4, "second-" + "k3y" * 4]
        r = self.gate("--url", self.svc.url(), "--header", "Authorization: Bearer ${HG_TOKEN}", "--json", *FAST,
                      env={"HG_TOKEN": "\n".join(lines) + "\n"})
        self.assertExit(r, 2)
        self.assertIn("--header Authorization: the value contains a line break", r.json()["message"])
        masks = [l for l in r.stderr.splitlines() if l.startswith("::add-mask::")]
        for line in lines:
            self.assertIn("::add-mask::" + line, masks)
        unmasked = "\n".join(l for l in r.stderr.splitlines() if not l.startswith("::add-mask::"))
        for text in (r.stdout, unmasked, r.summary, json.dumps(r.outputs)):
            for line in lines:
                self.assertNotIn(line, text)

    def test_credential_headers_and_query_parameters_are_secret(self):
        # Typed straight into flags (not via ${VAR}): still never shown.
        self.svc.set({"/health": [DOWN]})
        session, apikey, sig = "sess-" + "a1b2c3" * 3, "key-" + "z9y8x7" * 3, "sig-" + "q5w6e7" * 3
        url = self.svc.url("/health?region=eu&api_key=%s&Signature=%s" % (apikey, sig))
        with tempfile.TemporaryDirectory() as d:
            env_file = os.path.join(d, "env")
            r = self.gate("--url", url, "--header", "X-Session-Id: " + session, "--header", "Proxy-Authorization: Basic " + apikey,
                          "--timeout", "300ms", "--on-failure", "sh -c 'env > %s'" % env_file, *FAST)
            self.assertExit(r, 1)
            with open(env_file) as f:
                hook_env = f.read()
        for secret in (session, apikey, sig):
            # Without --json the masks go to stdout with the other workflow commands, so that a
            # usage error stays one line on stderr.
            self.assertIn("::add-mask::" + secret, r.stdout.splitlines())
            for text in (without_masks(r.stdout), r.stderr, r.summary, json.dumps(r.outputs), hook_env):
                self.assertNotIn(secret, text)
        self.assertIn("?region=eu&api_key=***&Signature=***", r.summary)
        self.assertIn("HEALTH_GATE_URL=%s" % self.svc.url("/health?region=eu&api_key=***&Signature=***"), hook_env)

    def test_inputs_from_environment(self):
        self.svc.set({"/health": [OK]})
        r = self.gate(env={"INPUT_URL": self.svc.url(), "INPUT_EXPECT-JSON": "/status=ok\n/info/database/status=up",
                           "INPUT_INTERVAL": "100ms", "INPUT_TIMEOUT": "5s", "INPUT_ON-FAILURE": ""})
        self.assertExit(r, 0)

    def test_json_result(self):
        self.svc.set({"/health": [OK]})
        r = self.gate("--url", self.svc.url(), "--json", *FAST, actions=False)
        self.assertExit(r, 0)
        result = r.json()
        self.assertTrue(result["ok"])
        self.assertEqual(result["exit_code"], 0)
        # Outputs keep their type in --json (item 16): booleans, numbers, text.
        self.assertIs(result["outputs"]["healthy"], True)
        self.assertEqual(result["outputs"]["attempts"], 1)
        self.assertEqual(result["outputs"]["last-status"], 200)
        self.assertIsInstance(result["outputs"]["reason"], str)
        self.assertEqual(result["probes"][0]["status"], 200)

    def test_json_logs(self):
        self.svc.set({"/health": [OK]})
        r = self.gate("--url", self.svc.url(), "--log-format", "json", *FAST, actions=False)
        self.assertExit(r, 0)
        lines = [json.loads(l) for l in r.stderr.strip().splitlines()]
        self.assertTrue(all(l["tool"] == "health-gate" and "time" in l and "level" in l for l in lines))


class TlsTest(ToolTest):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.TemporaryDirectory()
        cls.ca, cert, key = make_test_ca(cls.dir.name)
        cls.svc = HttpService({"/health": [OK]}, tls_cert=cert, tls_key=key)

    @classmethod
    def tearDownClass(cls):
        cls.svc.stop()
        cls.dir.cleanup()

    def test_verification_failure_without_the_ca(self):
        # A clean environment, as in a container: no CA for this server anywhere.
        r = run_tool("health-gate", "--url", self.svc.url(), "--timeout", "300ms", *FAST, clean_env=True)
        self.assertExit(r, 1)
        self.assertTrue(r.outputs["reason"].startswith("TLS error"), r.outputs["reason"])
        self.assertIn("--cacert", r.stderr)

    def test_cacert_flag_and_ssl_cert_file(self):
        r = run_tool("health-gate", "--url", self.svc.url(), "--cacert", self.ca, *FAST, clean_env=True)
        self.assertExit(r, 0)
        r = run_tool("health-gate", "--url", self.svc.url(), *FAST, clean_env=True, env={"SSL_CERT_FILE": self.ca})
        self.assertExit(r, 0)

    def test_insecure_warns_loudly(self):
        r = run_tool("health-gate", "--url", self.svc.url(), "--insecure", *FAST, clean_env=True)
        self.assertExit(r, 0)
        self.assertIn("NOT verified", r.stderr)


class UsageTest(ToolTest):
    """Every bad flag: exit 2, one line on stderr, nothing run."""

    CASES = [
        ([], "health-gate: missing --url (or INPUT_URL)"),
        (["--url", "ftp://x/health"], "is not an http(s) URL"),
        (["--url", "http://127.0.0.1:1/", "--interval", "5"], "--interval: '5' is not a duration"),
        (["--url", "http://127.0.0.1:1/", "--timeout", "soon"], "--timeout: 'soon' is not a duration"),
        (["--url", "http://127.0.0.1:1/", "--expect-status", "2xx"], "--expect-status"),
        (["--url", "http://127.0.0.1:1/", "--expect-json", "status=ok"], "--expect-json"),
        (["--url", "http://127.0.0.1:1/", "--expect-body", "(unclosed"],
         "--expect-body: '(unclosed' is not a valid regular expression: missing closing parenthesis at offset 9"),
        (["--url", "http://127.0.0.1:1/", "--version-from", "body:/v"], "--version-from"),
        (["--url", "http://127.0.0.1:1/", "--successes", "0"], "--successes"),
        (["--url", "http://127.0.0.1:1/", "--successes", "three"], "--successes"),
        (["--url", "http://127.0.0.1:1/", "--min-success-rate", "120%"], "--min-success-rate"),
        (["--url", "http://127.0.0.1:1/", "--max-p95-latency", "1s"], "needs --observe"),
        (["--url", "http://127.0.0.1:1/", "--header", "NoColon"], "--header"),
        (["--url", "http://127.0.0.1:1/", "--header", "Authorization: ${UNSET_VAR_XYZ}"], "UNSET_VAR_XYZ is not set"),
        (["--url", "http://127.0.0.1:1/", "--cacert", "/nonexistent/ca.pem"], "--cacert"),
        (["--url", "http://127.0.0.1:1/", "--on-failure", "echo 'unterminated"], "unterminated quote"),
        (["--url", "http://127.0.0.1:1/", "--method", "G E T"], "--method"),
        (["--url", "http://127.0.0.1:1/", "--log-format", "xml"], "--log-format"),
        (["--url", "http://127.0.0.1:1/", "--no-such-flag"], "no-such-flag"),
        (["--url", "http://127.0.0.1:1/", "--interval", "1s", "--interval", "2s"], "more than once"),
        (["--url", "http://127.0.0.1:1/", "stray"], "unexpected argument 'stray'"),
        (["--url", "http://127.0.0.1:1/", "--interval", "0s"], "--interval must be longer than 0s"),
        (["--url", "http://127.0.0.1:1/", "--request-timeout", "0s"], "--request-timeout must be longer than 0s"),
        (["--url", "http://127.0.0.1:1/", "--request-timeout", "0.1ms"], "--request-timeout must be longer than 0s"),
        (["--url", "http://127.0.0.1:1/", "--timeout", "0s"], "--timeout must be longer than 0s"),
        (["--url", "http://127.0.0.1:1/", "--observe", "0s"], "--observe must be longer than 0s"),
        (["--url", "http://127.0.0.1:1/", "--hook-timeout", "ten"], "--hook-timeout: 'ten' is not a duration"),
        (["--url", "http://127.0.0.1:1/", "--hook-timeout", "0s"], "--hook-timeout must be longer than 0s"),
        (["--url", "http://127.0.0.1:1/", "--max-latency", "fast"], "--max-latency: 'fast' is not a duration"),
        (["--url", "http://127.0.0.1:1/", "--max-latency", "0ms"], "--max-latency must be longer than 0s"),
        (["--url", "http://127.0.0.1:1/", "--initial-delay=-1s"], "--initial-delay: '-1s' is not a duration"),
        (["--url", "http://127.0.0.1:1/", "--initial-delay", "2d"], "--initial-delay: '2d' is not a duration"),
        # No probe before the deadline would be a verdict, and the verdict a rollback: refused instead.
        (["--url", "http://127.0.0.1:1/", "--initial-delay", "2s", "--timeout", "1s", "--on-failure", "touch /tmp/yonima-never"],
         "is not shorter than --timeout 1s"),
        (["--url", "http://127.0.0.1:1/", "--observe", "1m", "--max-p95-latency", "0s"], "--max-p95-latency must be longer than 0s"),
    ]

    def test_bad_flags(self):
        for args, expected in self.CASES:
            with self.subTest(args=args):
                with tempfile.TemporaryDirectory() as d:
                    marker = os.path.join(d, "ran")
                    r = run_tool("health-gate", *args, "--on-success", "touch " + marker) if "--on-failure" not in args \
                        else run_tool("health-gate", *args)
                    self.assertExit(r, 2)
                    self.assertIn(expected, r.stderr)
                    self.assertEqual(len(r.stderr.strip().splitlines()), 1, r.stderr)
                    self.assertFalse(os.path.exists(marker))

    def test_url_is_required_as_flag_or_input(self):
        # An empty input counts as unset (GitHub passes every declared input, empty when not given).
        for env in [{}, {"INPUT_URL": ""}, {"INPUT_URL": "\n  \n"}]:
            with self.subTest(env=env):
                r = run_tool("health-gate", "--json", env=env)
                self.assertExit(r, 2)
                # With --json in Actions the ::error annotation goes to stderr too, after the line.
                self.assertTrue(r.stderr.splitlines()[0].startswith("health-gate: missing --url (or INPUT_URL) (what to do: --url: "),
                                r.stderr)  # the hint on the same line
                self.assertEqual(r.outputs["error"], "missing --url (or INPUT_URL)")
                self.assertEqual(r.json()["message"], "missing --url (or INPUT_URL)")
        svc = HttpService({"/health": [OK]})
        try:
            self.assertExit(run_tool("health-gate", *FAST, env={"INPUT_URL": svc.url()}), 0)
        finally:
            svc.stop()

    def test_bad_boolean_input(self):
        r = run_tool("health-gate", env={"INPUT_URL": "http://127.0.0.1:1/", "INPUT_INSECURE": "perhaps"})
        self.assertExit(r, 2)
        self.assertIn("INPUT_INSECURE", r.stderr)

    # Errors found while parsing the options and errors found later are reported the same way:
    # the `error` output, an ::error annotation, the summary, and the --json object.
    PARSE_ERRORS = [
        (["--url", "http://127.0.0.1:1/", "--no-such-flag"], {}, "no-such-flag"),
        (["--url", "http://127.0.0.1:1/", "stray"], {}, "unexpected argument 'stray'"),
        (["--url", "http://127.0.0.1:1/", "--log-format", "xml"], {}, "--log-format: 'xml' is not a log format"),
        ([], {"INPUT_URL": "http://127.0.0.1:1/", "INPUT_INSECURE": "perhaps"}, "INPUT_INSECURE: 'perhaps' is not a boolean"),
        (["--url", "http://127.0.0.1:1/", "--interval", "0s"], {}, "--interval must be longer than 0s"),  # found later
    ]

    def test_parse_errors_are_reported_like_later_usage_errors(self):
        for args, env, expected in self.PARSE_ERRORS:
            with self.subTest(args=args, env=env):
                r = run_tool("health-gate", *args, env=env)
                self.assertExit(r, 2)
                self.assertEqual(len(r.stderr.strip().splitlines()), 1, r.stderr)
                self.assertIn(expected, r.stderr)
                self.assertIn(expected, r.outputs["error"])
                self.assertIn("::error title=health-gate%3A usage error::", r.stdout)
                self.assertIn(expected, r.stdout)
                self.assertIn("### health-gate: failed", r.summary)
                self.assertIn(expected, r.summary)

    def test_parse_errors_with_json_print_the_result_object(self):
        for args, env, expected in self.PARSE_ERRORS:
            for json_env in ({}, {"INPUT_JSON": "true"}):
                with self.subTest(args=args, env=env, json_env=json_env):
                    flag = [] if json_env else ["--json"]
                    r = run_tool("health-gate", *args, *flag, env=dict(env, **json_env), actions=False)
                    self.assertExit(r, 2)
                    self.assertEqual(len(r.stderr.strip().splitlines()), 1, r.stderr)
                    result = r.json()
                    self.assertEqual(result["exit_code"], 2)
                    self.assertFalse(result["ok"])
                    self.assertIn(expected, result["message"])
                    self.assertIn(expected, result["outputs"]["error"])
                    # In Actions the annotation goes to stderr, stdout stays one JSON object.
                    r = run_tool("health-gate", *args, *flag, env=dict(env, **json_env))
                    self.assertExit(r, 2)
                    self.assertIn(expected, r.json()["message"])
                    self.assertIn("::error title=health-gate%3A usage error::", r.stderr)

    def test_help_and_version(self):
        r = run_tool("health-gate", "--help")
        self.assertExit(r, 0)
        self.assertIn("Examples:", r.stdout)
        self.assertIn("--expect-version", r.stdout)
        r = run_tool("health-gate", "--version")
        self.assertExit(r, 0)
        self.assertRegex(r.stdout, r"^health-gate \d+\.\d+\.\d+ \(commit [0-9a-f]+|unknown\)")


if __name__ == "__main__":
    unittest.main()
