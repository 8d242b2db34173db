"""ota-publish check-config over the eas.json fixtures (fixtures/eas-json/<case>/): findings with
their rule, file and line, as annotations; a secret is never printed. Where the pinned eas-cli is
installed, its own eas.json reader (@expo/eas-json) must agree on which files are valid and on the
channel each profile resolves to through `extends`."""
import json
import os
import shutil
import subprocess
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

    def test_missing_file_is_a_usage_error(self):
        r = self.run_ota("check-config", "--eas-json", os.path.join(self.tmp, "nope.json"))
        self.assertExit(r, 2)
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
