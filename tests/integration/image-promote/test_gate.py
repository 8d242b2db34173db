"""The Trivy gate on hand-written reports following Trivy's JSON schema (SchemaVersion 2), and
`promote --require-scan`, which also checks that the report is of the image promoted."""
import json
import os
import tempfile
import unittest

from ip_fixture import ImageBuilder, Registry, ToolTest, ip

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")
REPORT = os.path.join(FIXTURES, "trivy-backend.json")
IGNORE = os.path.join(FIXTURES, "clean.trivyignore")
REPEATED = os.path.join(FIXTURES, "trivy-repeated.json")
# The image the fixture report was written for (not any image these tests push).
REPORT_REPO_DIGEST = "sha256:9c8b7a6f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a3"


def report_for(tmpdir, name, artifact=None, repo_digests=None, image_id=None, base=REPORT):
    """The fixture report re-targeted: ArtifactName / Metadata.RepoDigests / Metadata.ImageID as
    given (None removes the field), the findings unchanged."""
    with open(base) as f:
        j = json.load(f)
    if artifact is None:
        j.pop("ArtifactName", None)
    else:
        j["ArtifactName"] = artifact
    for key, value in (("RepoDigests", repo_digests), ("ImageID", image_id)):
        if value is None:
            j["Metadata"].pop(key, None)
        else:
            j["Metadata"][key] = value
    path = os.path.join(tmpdir, name)
    with open(path, "w") as f:
        json.dump(j, f)
    return path


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

    def test_the_same_finding_under_several_targets_counts_once(self):
        # braces 3.0.2 is listed under package-lock.json and node_modules: one finding; braces
        # 2.3.2 is another installed version: a finding of its own. The secret is not judged.
        r = ip("gate", "--trivy-report", REPEATED, "--fail-on", "HIGH", "--json")
        self.assertExit(r, 1)
        j = r.json()
        self.assertEqual(j["total_findings"], 4)
        self.assertEqual(sorted((f["id"], f["installed"]) for f in j["blocking_findings"]),
                         [("CVE-2024-5535", "3.0.14-1~deb12u2"), ("GHSA-grv7-fg5c-xmjg", "2.3.2"),
                          ("GHSA-grv7-fg5c-xmjg", "3.0.2")])
        r = ip("gate", "--trivy-report", REPEATED, "--fail-on", "HIGH")
        self.assertEqual(r.outputs["blocking-findings"], "3")
        self.assertIn("1 repeated under another target counted once", r.summary)

    def test_promote_requires_a_passing_scan(self):
        reg = Registry()
        self.addCleanup(reg.stop)
        img = ImageBuilder()
        self.addCleanup(img.cleanup)
        tmp = tempfile.mkdtemp()
        digest = img.push(img.single("s", "scanned"), reg.host, "yonima/backend", "sha-abc123")
        src = "%s/yonima/backend@%s" % (reg.host, digest)
        # What `trivy image --format json REPO@DIGEST` writes for the image promoted.
        report = report_for(tmp, "scan.json", artifact=src, repo_digests=[src])
        r = ip("promote", src, "--to", "production", "--require-scan", report, insecure=[reg.host])
        self.assertExit(r, 1)
        self.assertIn("nothing was changed", r.stdout + r.stderr)
        self.assertIsNone(reg.resolve("yonima/backend", "production"))
        r = ip("promote", src, "--to", "production", "--require-scan", report, "--ignore-unfixed",
               "--ignore-file", IGNORE, "--json", insecure=[reg.host])
        self.assertExit(r, 0)
        self.assertEqual(r.json()["scan_image_check"], "matched")
        self.assertEqual(reg.resolve("yonima/backend", "production"), digest)

    def test_promote_refuses_the_scan_of_another_image(self):
        reg = Registry()
        self.addCleanup(reg.stop)
        img = ImageBuilder()
        self.addCleanup(img.cleanup)
        tmp = tempfile.mkdtemp()
        digest = img.push(img.single("s", "scanned"), reg.host, "yonima/backend", "sha-abc123")
        other = img.push(img.single("o", "another build"), reg.host, "yonima/backend", "sha-other")
        src = "%s/yonima/backend@%s" % (reg.host, digest)
        passing = ["--ignore-unfixed", "--ignore-file", IGNORE]  # the findings alone would pass
        # The fixture as Trivy wrote it for ghcr.io/yonima/backend@sha256:9c8b...: not this image.
        r = ip("promote", src, "--to", "production", "--require-scan", REPORT, *passing, insecure=[reg.host])
        self.assertExit(r, 2)
        out = r.stdout + r.stderr
        self.assertIn("is of another image", out)
        self.assertIn(REPORT_REPO_DIGEST + " (Metadata.RepoDigests)", out)
        self.assertIn("nothing was changed", out)
        # A report of another build of the same repository, by digest.
        report = report_for(tmp, "other.json", artifact="%s/yonima/backend@%s" % (reg.host, other),
                            repo_digests=["%s/yonima/backend@%s" % (reg.host, other)], image_id=None)
        r = ip("promote", src, "--to", "production", "--require-scan", report, *passing, insecure=[reg.host])
        self.assertExit(r, 2)
        self.assertIn(other, r.stdout + r.stderr)
        self.assertIsNone(reg.resolve("yonima/backend", "production"))

        # A scan of the local image before the push names only its ImageID: the config digest.
        config = ip("inspect", src, "--json", insecure=[reg.host]).json()["config"]["digest"]
        report = report_for(tmp, "local.json", artifact="yonima/backend:sha-abc123", repo_digests=[], image_id=config)
        r = ip("promote", src, "--to", "production", "--require-scan", report, *passing, "--json", insecure=[reg.host])
        self.assertExit(r, 0)
        self.assertEqual(r.json()["scan_image_check"], "matched")
        # A report that names no digest at all cannot be checked: a warning, then the gate.
        report = report_for(tmp, "bare.json", artifact="yonima/backend:sha-abc123", repo_digests=None, image_id=None)
        r = ip("promote", src, "--to", "staging", "--require-scan", report, *passing, "--json", insecure=[reg.host])
        self.assertExit(r, 0)
        self.assertEqual(r.json()["scan_image_check"], "unchecked")
        self.assertIn("names no image digest", r.stdout + r.stderr)

    def test_a_scan_of_one_platform_ties_the_report_to_the_index(self):
        reg = Registry()
        self.addCleanup(reg.stop)
        img = ImageBuilder()
        self.addCleanup(img.cleanup)
        tmp = tempfile.mkdtemp()
        index = img.push(img.multi("m", "multi"), reg.host, "yonima/backend", "sha-multi")
        src = "%s/yonima/backend@%s" % (reg.host, index)
        manifests = ip("inspect", src, "--json", insecure=[reg.host]).json()["manifests"]
        arm = [m for m in manifests if m["platform"] == "linux/arm64"][0]
        passing = ["--ignore-unfixed", "--ignore-file", IGNORE]
        # trivy image --platform linux/arm64 REPO@INDEX: the platform manifest in RepoDigests.
        report = report_for(tmp, "arm.json", artifact=src, repo_digests=["%s/yonima/backend@%s" % (reg.host, arm["digest"])],
                            image_id=arm["config"]["digest"])
        r = ip("promote", src, "--to", "production", "--require-scan", report, *passing, "--json", insecure=[reg.host])
        self.assertExit(r, 0)
        self.assertEqual(r.json()["scan_image_check"], "matched")
        # Only the platform's config (ImageID): found by reading the platform manifests.
        report = report_for(tmp, "cfg.json", artifact="yonima/backend:sha-multi", repo_digests=[],
                            image_id=arm["config"]["digest"])
        r = ip("promote", src, "--to", "staging", "--require-scan", report, *passing, "--json", insecure=[reg.host])
        self.assertExit(r, 0)
        self.assertEqual(r.json()["scan_image_check"], "matched")


if __name__ == "__main__":
    unittest.main()
