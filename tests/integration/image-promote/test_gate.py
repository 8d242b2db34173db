"""The Trivy gate on a hand-written report following Trivy's JSON schema (SchemaVersion 2)."""
import os
import unittest

from ip_fixture import ImageBuilder, Registry, ToolTest, ip

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")
REPORT = os.path.join(FIXTURES, "trivy-backend.json")
IGNORE = os.path.join(FIXTURES, "clean.trivyignore")


class GateTest(ToolTest):
    def test_findings_at_or_above_the_threshold_block(self):
        r = ip("gate", "--trivy-report", REPORT, "--fail-on", "HIGH,CRITICAL")
        self.assertExit(r, 1)
        self.assertEqual(r.outputs["blocking-findings"], "3")
        self.assertIn("| CRITICAL | CVE-2024-5535 | libssl3 |", r.summary)
        self.assertIn("GHSA-grv7-fg5c-xmjg", r.summary)
        self.assertNotIn("CVE-2022-3715", r.summary)  # MEDIUM is below the threshold
        self.assertIn("::error file=%s" % REPORT, r.stdout)
        r = ip("gate", "--trivy-report", REPORT, "--fail-on", "CRITICAL")
        self.assertExit(r, 1)
        self.assertEqual(r.outputs["blocking-findings"], "1")

    def test_ignore_unfixed_and_ignore_file(self):
        r = ip("gate", "--trivy-report", REPORT, "--ignore-unfixed", "--json")
        self.assertExit(r, 1)
        self.assertEqual([f["id"] for f in r.json()["blocking_findings"]], ["CVE-2024-5535", "GHSA-grv7-fg5c-xmjg"])
        r = ip("gate", "--trivy-report", REPORT, "--ignore-unfixed", "--ignore-file", IGNORE)
        self.assertExit(r, 0)
        self.assertEqual(r.outputs["blocking-findings"], "0")
        self.assertIn("passed", r.summary)

    def test_bad_input(self):
        r = ip("gate", "--trivy-report", "/nonexistent.json")
        self.assertExit(r, 2)
        self.assertEqual(len(r.stderr.strip().splitlines()), 1)
        r = ip("gate", "--trivy-report", REPORT, "--fail-on", "SEVERE")
        self.assertExit(r, 2)
        r = ip("gate", "--trivy-report", IGNORE)
        self.assertExit(r, 2)
        self.assertIn("not JSON", r.stderr)

    def test_promote_requires_a_passing_scan(self):
        reg = Registry()
        self.addCleanup(reg.stop)
        img = ImageBuilder()
        self.addCleanup(img.cleanup)
        digest = img.push(img.single("s", "scanned"), reg.host, "yonima/backend", "sha-abc123")
        src = "%s/yonima/backend@%s" % (reg.host, digest)
        r = ip("promote", src, "--to", "production", "--require-scan", REPORT, insecure=[reg.host])
        self.assertExit(r, 1)
        self.assertIn("nothing was changed", r.stdout + r.stderr)
        self.assertIsNone(reg.resolve("yonima/backend", "production"))
        r = ip("promote", src, "--to", "production", "--require-scan", REPORT, "--ignore-unfixed",
               "--ignore-file", IGNORE, insecure=[reg.host])
        self.assertExit(r, 0)
        self.assertEqual(reg.resolve("yonima/backend", "production"), digest)


if __name__ == "__main__":
    unittest.main()
