"""ota-publish check-config over the eas.json fixtures (fixtures/eas-json/<case>/): findings with
their rule, file and line, as annotations; a secret is never printed. Where the pinned eas-cli is
installed, its own eas.json reader (@expo/eas-json) must agree on which files are valid and on the
channel each profile resolves to through `extends`."""
import json
import os
import shutil
import subprocess
import time
import unittest

from ota_fixture import FIXTURES, OtaTest, ROOT, install_eas_cli, skip_or_fail

CASES = os.path.join(FIXTURES, "eas-json")


def findings(result):
    return [(f["rule"], os.path.basename(f["file"]), f["line"]) for f in result.json()["findings"] if f["level"] == "error"]


class CheckConfigTest(OtaTest):
    def check(self, case, *extra):
        return self.run_ota("check-config", "--eas-json", os.path.join(CASES, case, "eas.json"), "--json", *extra)

    def test_good(self):
        r = self.check("good")
        self.assertExit(r, 0)
        self.assertEqual(findings(r), [])
        self.assertEqual(r.json()["channels"]["production"], "production")
        self.assertEqual(r.outputs["errors"], "0")

    def test_comments_trailing_commas_and_unquoted_keys_are_accepted(self):
        r = self.check("comments")
        self.assertExit(r, 0)
        self.assertEqual(findings(r), [])
        self.assertEqual(r.json()["channels"], {"development": "development", "preview": "preview", "production": "production"})

    def test_shared_channel_through_extends_and_shared_api_url(self):
        r = self.check("shared-channel")
        self.assertExit(r, 1)
        self.assertEqual(sorted(findings(r)), [("shared-channel", "eas.json", 7), ("shared-value", "eas.json", 11)])
        self.assertEqual(r.json()["channels"]["preview"], "production")

    def test_leaked_secrets_are_named_not_printed(self):
        r = self.check("leaked-secret")
        self.assertExit(r, 1)
        self.assertEqual(findings(r), [("public-secret", "eas.json", 8), ("public-secret", "eas.json", 15),
                                       ("committed-secret", "eas.json", 16)])
        self.assertIn("service_role", r.stdout)
        with open(os.path.join(CASES, "leaked-secret", "eas.json")) as f:
            text = f.read()
        for secret in ("sk.eyJ1IjoieW9uaW1hIiwiYSI6InNlY3JldCJ9", "c2lnbmF0dXJlLW5vdC1yZWFs", "hunter2-but-longer"):
            self.assertIn(secret, text)
            self.assertNotIn(secret, r.stdout + r.stderr)

    def test_missing_runtime_version(self):
        r = self.check("missing-runtime-version")
        self.assertExit(r, 1)
        self.assertEqual(findings(r), [("missing-runtime-version", "app.json", 2)])

    def test_malformed_json_points_at_the_line(self):
        r = self.check("malformed")
        self.assertExit(r, 1)
        self.assertEqual(findings(r), [("malformed", "eas.json", 5)])

    def test_annotations_carry_file_and_line(self):
        path = os.path.join(CASES, "shared-channel", "eas.json")
        r = self.run_ota("check-config", "--eas-json", path)
        self.assertExit(r, 1)
        self.assertIn("::error file=%s,line=7,title=ota-publish check-config%%3A shared-channel::" % path, r.stdout)
        self.assertIn("shared-channel", r.summary)

    def test_app_config_in_code_is_read_as_text(self):
        d = os.path.join(self.tmp, "code")
        os.makedirs(d)
        shutil.copy(os.path.join(CASES, "good", "eas.json"), d)
        with open(os.path.join(d, "app.config.ts"), "w") as f:
            f.write("export default { name: 'yonima', version: '1.5.0' };\n")
        r = self.run_ota("check-config", "--eas-json", os.path.join(d, "eas.json"), "--json")
        self.assertExit(r, 1)
        self.assertEqual(findings(r), [("missing-runtime-version", "app.config.ts", 1)])
        with open(os.path.join(d, "app.config.ts"), "w") as f:
            f.write("export default { runtimeVersion: { policy: 'fingerprint' } };\n")
        self.assertExit(self.run_ota("check-config", "--eas-json", os.path.join(d, "eas.json")), 0)

    def test_hostile_files_never_crash(self):
        d = os.path.join(self.tmp, "hostile")
        os.makedirs(d)
        cases = {
            "deep": b"[" * 100000,
            "nul-and-invalid-utf8": b'{"build": {"production": {"channel": "prod\x00\xff\xfe", "env": {"EXPO_PUBLIC_\xff": "x"}}}}',
            "unterminated-comment": b'{"build": {} /* never closed',
            "huge-number": b'{"build": {"production": {"channel": 1e999999}}}',
            "workflow-command": b'{"build": {"production": {"channel": "a\\n::error::pwned"}}}',
            "empty": b"",
            "bom": b'\xef\xbb\xbf{"build": {}}',
        }
        for name, content in cases.items():
            with self.subTest(name=name):
                path = os.path.join(d, name + ".json")
                with open(path, "wb") as f:
                    f.write(content)
                r = self.run_ota("check-config", "--eas-json", path, "--app-config", os.path.join(CASES, "good", "app.json"), "--json")
                self.assertIn(r.code, (0, 1), repr(r))
                json.loads(r.stdout)
                for line in (r.stdout + r.stderr).splitlines():
                    self.assertFalse(line.startswith("::error::pwned"), line)

    def test_duplicate_keys_resolve_as_eas_does_and_are_flagged(self):
        # JSON.parse keeps the last of two equal keys; a reviewer reads the first one.
        r = self.check("duplicate-keys")
        self.assertExit(r, 0)
        self.assertEqual(r.json()["channels"], {"development": "development", "preview": "preview", "production": "production"})
        dups = [(f["line"], f["level"]) for f in r.json()["findings"] if f["rule"] == "duplicate-key"]
        self.assertEqual(dups, [(5, "warning"), (8, "warning")])
        self.assertEqual(findings(r), [])  # each profile once: no finding twice

    def test_bom_crlf_and_comments_in_odd_places(self):
        r = self.check("crlf-bom")
        self.assertExit(r, 1)
        self.assertEqual(findings(r), [("public-secret", "eas.json", 9)])  # CRLF counts as one line break
        self.assertEqual(r.json()["channels"], {"development": "development", "preview": "preview", "production": "production"})
        self.assertNotIn("sk_live_abcdef", self.said(r))

    def test_odd_whitespace_that_eas_accepts(self):
        # A line comment ended by a lone CR, U+2028/U+2029/U+3000/U+00A0 as spaces: JavaScript's \\s, as golden-fleece reads it.
        r = self.check("odd-whitespace")
        self.assertExit(r, 0)
        self.assertEqual(r.json()["channels"], {"development": "development", "preview": "preview", "production": "production"})

    def test_ten_thousand_profiles_and_long_extends_chains_stay_fast(self):
        # Bounded: 10,000 profiles, each extending the next, used to run for more than ten minutes.
        build = {"development": {"channel": "development"}, "preview": {"channel": "preview"},
                 "production": {"channel": "production", "env": {"EXPO_PUBLIC_API_URL": "https://api.example"}}}
        for i in range(10000):
            build["p%d" % i] = {"extends": "p%d" % (i - 1)} if i else {"channel": "c0"}
            build["q%d" % i] = {"channel": "q%d" % i, "env": {"EXPO_PUBLIC_API_URL": "https://api.example"}}
        path = os.path.join(self.tmp, "eas.json")
        with open(path, "w") as f:
            json.dump({"build": build}, f)
        start = time.monotonic()
        r = self.run_ota("check-config", "--eas-json", path, "--app-config", os.path.join(CASES, "good", "app.json"), "--json",
                         timeout=60)
        self.assertLess(time.monotonic() - start, 30)
        self.assertExit(r, 1)
        rules = [(f["rule"], f["message"].split('"')[1]) for f in r.json()["findings"]]
        self.assertIn(("shared-value", "q9999"), rules)
        # eas-cli follows at most 4 extends: p0..p4 resolve, p5 and beyond are refused.
        self.assertEqual(r.json()["channels"]["p4"], "c0")
        self.assertIsNone(r.json()["channels"]["p5"])
        self.assertIn(("bad-extends", "p5"), rules)
        self.assertNotIn(("bad-extends", "p4"), rules)

    def test_realistic_mapbox_project_is_reported_once_per_fix(self):
        # A shared base with the Mapbox download token (a build-time secret), preview extending production.
        r = self.check("realistic-mapbox")
        self.assertExit(r, 1)
        self.assertEqual(findings(r), [("committed-secret", "eas.json", 6),              # once, where it is written
                                       ("shared-value", "eas.json", 12), ("shared-value", "eas.json", 12)])
        messages = " ".join(f["message"] for f in r.json()["findings"])
        self.assertIn("EXPO_PUBLIC_API_URL=https://api.yonima.app", messages)
        self.assertIn("inherited through extends", messages)
        self.assertNotIn("sk.eyJ1", self.said(r))
        self.assertEqual(r.json()["channels"]["preview"], "preview")

    def test_missing_file_is_a_usage_error(self):
        r = self.run_ota("check-config", "--eas-json", os.path.join(self.tmp, "nope.json"))
        self.assertExit(r, 2)
        self.assertIn("no such file; run check-config in the Expo project, or name the files with --eas-json", self.said(r))
        r = self.run_ota("check-config", env={"INPUT_EAS-JSON": "x\n::error::pwned"})
        self.assertExit(r, 2)
        for line in self.said(r).splitlines():
            self.assertFalse(line.startswith("::error::pwned"), line)
        r = self.run_ota("check-config", "--eas-json", self.tmp)
        self.assertExit(r, 2)
        self.assertIn("is a directory", self.said(r))

    def test_eas_cli_reader_agrees(self):
        reason = install_eas_cli()
        if reason:
            skip_or_fail(self, reason)
        files = sorted(os.path.join(CASES, c, "eas.json") for c in os.listdir(CASES))
        out = subprocess.run(["node", os.path.join(ROOT, "tests", "tools", "eas-json-check.cjs"), *files], capture_output=True,
                             text=True, timeout=120, check=True).stdout
        eas = json.loads(out)
        for path in files:
            with self.subTest(case=os.path.basename(os.path.dirname(path))):
                r = self.run_ota("check-config", "--eas-json", path, "--json")
                ours_malformed = any(f["rule"] == "malformed" and f["file"] == path for f in r.json()["findings"])
                self.assertEqual(eas[path]["accepted"], not ours_malformed, eas[path])
                if eas[path]["accepted"]:
                    self.assertEqual(r.json()["channels"], eas[path]["channels"])


if __name__ == "__main__":
    unittest.main()
