"""Field findings (issue 9) against real registries and a hostile registry stand-in: rollback
guards (10), podman/skopeo auth files (14), no credentials to a plain-HTTP token realm of an HTTPS
registry (21), bounds on size, time and depth (22), input validation (24). Each failed before its fix."""
import base64
import json
import os
import tempfile
import time
import unittest

from ip_fixture import ImageBuilder, Registry, ToolTest, ip
from registry import HostileRegistry

REPO = "yonima/backend"


def unmasked(r):
    """Output without the ::add-mask:: lines (which must carry the secret to mask it)."""
    return "\n".join(l for l in (r.stdout + r.stderr).splitlines() if not l.startswith("::add-mask::"))


def critical_report(digest):
    """A Trivy report of `digest` with one CRITICAL finding: the scan gate refuses it."""
    return {"SchemaVersion": 2, "ArtifactName": "%s@%s" % (REPO, digest), "ArtifactType": "container_image",
            "Results": [{"Target": "app", "Vulnerabilities": [
                {"VulnerabilityID": "CVE-2026-0001", "PkgName": "openssl", "InstalledVersion": "3.0.1",
                 "FixedVersion": "3.0.2", "Severity": "CRITICAL", "Title": "bad"}]}]}


class RollbackGuardTest(ToolTest):
    """Item 10: A, B promoted; C refused by the scan gate; the workflow then rolls back."""

    @classmethod
    def setUpClass(cls):
        cls.reg = Registry()
        cls.addClassCleanup(cls.reg.stop)
        img = cls.images = ImageBuilder()
        cls.addClassCleanup(cls.images.cleanup)
        h = cls.reg.host
        cls.a = img.push(img.single("a", "release-a"), h, REPO, "sha-a")
        cls.b = img.push(img.single("b", "release-b"), h, REPO, "sha-b")
        cls.c = img.push(img.single("c", "release-c"), h, REPO, "sha-c")
        cls.tmp = tempfile.mkdtemp(prefix="ip-hardening-")

    def run_ip(self, *args):
        return ip(*args, "--settle", "0s", insecure=[self.reg.host])

    def setup_tag(self, tag):
        for d in (self.a, self.b):
            self.assertExit(self.run_ip("promote", "%s/%s@%s" % (self.reg.host, REPO, d), "--to", tag), 0)
        report = os.path.join(self.tmp, "c.json")
        with open(report, "w") as f:
            json.dump(critical_report(self.c), f)
        r = self.run_ip("promote", "%s/%s@%s" % (self.reg.host, REPO, self.c), "--to", tag, "--require-scan", report)
        self.assertExit(r, 1)
        self.assertEqual(self.reg.resolve(REPO, tag), self.b)

    def test_expect_current_refuses_when_the_promotion_was_refused(self):
        self.setup_tag("guard-1")
        r = self.run_ip("rollback", "%s/%s" % (self.reg.host, REPO), "--tag", "guard-1", "--expect-current", self.c)
        self.assertExit(r, 1)
        self.assertIn("nothing was changed", r.stdout + r.stderr)
        self.assertEqual(self.reg.resolve(REPO, "guard-1"), self.b)  # not rolled one release too far
        r = self.run_ip("rollback", "%s/%s" % (self.reg.host, REPO), "--tag", "guard-1", "--expect-current", self.b)
        self.assertExit(r, 0)
        self.assertEqual(self.reg.resolve(REPO, "guard-1"), self.a)
        self.assertEqual(r.outputs["previous-digest"], self.b)

    def test_to_previous_of(self):
        self.setup_tag("guard-2")
        r = self.run_ip("rollback", "%s/%s" % (self.reg.host, REPO), "--tag", "guard-2", "--to-previous-of", self.c)
        self.assertExit(r, 1)
        self.assertEqual(self.reg.resolve(REPO, "guard-2"), self.b)
        r = self.run_ip("rollback", "%s/%s" % (self.reg.host, REPO), "--tag", "guard-2", "--to-previous-of", self.b,
                        "--dry-run")
        self.assertExit(r, 0)
        self.assertIn(self.a, r.summary)
        self.assertEqual(self.reg.resolve(REPO, "guard-2"), self.b)
        r = self.run_ip("rollback", "%s/%s" % (self.reg.host, REPO), "--tag", "guard-2", "--to-previous-of", self.b)
        self.assertExit(r, 0)
        self.assertEqual(self.reg.resolve(REPO, "guard-2"), self.a)
        # Run twice (a retried workflow job): the tag is no longer at B, so nothing more moves.
        r = self.run_ip("rollback", "%s/%s" % (self.reg.host, REPO), "--tag", "guard-2", "--to-previous-of", self.b)
        self.assertExit(r, 1)
        self.assertEqual(self.reg.resolve(REPO, "guard-2"), self.a)


class AuthFileTest(ToolTest):
    """Item 14: credentials from REGISTRY_AUTH_FILE and $XDG_RUNTIME_DIR/containers/auth.json."""

    def test_podman_auth_files(self):
        reg = Registry(auth="htpasswd", users={"ci": "s3cret"})
        self.addCleanup(reg.stop)
        img = ImageBuilder()
        self.addCleanup(img.cleanup)
        digest = img.push(img.single("x", "x"), reg.host, REPO, "v1", creds=("ci", "s3cret"))
        home = tempfile.mkdtemp(prefix="ip-home-")
        auth = {"auths": {reg.host: {"auth": base64.b64encode(b"ci:s3cret").decode()}}}
        path = os.path.join(home, "auth.json")
        with open(path, "w") as f:
            json.dump(auth, f)
        os.makedirs(os.path.join(home, "run", "containers"))
        with open(os.path.join(home, "run", "containers", "auth.json"), "w") as f:
            json.dump(auth, f)
        base = {"HOME": home}
        r = ip("digest", "%s/%s:v1" % (reg.host, REPO), insecure=[reg.host], env=base)
        self.assertExit(r, 3)  # anonymous: refused
        r = ip("digest", "%s/%s:v1" % (reg.host, REPO), insecure=[reg.host], env=dict(base, REGISTRY_AUTH_FILE=path))
        self.assertExit(r, 0)
        self.assertEqual(r.outputs["digest"], digest)
        r = ip("digest", "%s/%s:v1" % (reg.host, REPO), insecure=[reg.host],
               env=dict(base, XDG_RUNTIME_DIR=os.path.join(home, "run")))
        self.assertExit(r, 0)
        self.assertNotIn("s3cret", unmasked(r))


class TokenRealmDowngradeTest(ToolTest):
    """Item 21: an HTTPS registry whose 401 names an http:// token realm never gets the
    credentials in clear text."""

    def test_http_realm_of_https_registry_is_refused(self):
        reg = Registry(auth="token", users={"ci": "s3cret"}, tls=True)
        self.addCleanup(reg.stop)
        self.assertTrue(reg.token_server.url.startswith("http://"))
        env = {"REGISTRY_USERNAME": "ci", "REGISTRY_PASSWORD": "s3cret"}
        r = ip("digest", "%s/%s:v1" % (reg.host, REPO), "--cacert", reg.cert, "--retries", "1", env=env)
        self.assertExit(r, 3)
        self.assertIn("plain-HTTP token service", r.stdout + r.stderr)
        self.assertNotIn("s3cret", unmasked(r))
        self.assertEqual(reg.token_server.stats()["token_requests"], 0)
        self.assertEqual(reg.token_server.stats()["refused"], 0)


class HostileRegistryTest(ToolTest):
    """Item 22: bounds on disk, time and depth against a hostile registry stand-in."""

    @classmethod
    def setUpClass(cls):
        cls.hostile = HostileRegistry(depth=3000)
        cls.addClassCleanup(cls.hostile.stop)
        cls.dst = Registry()
        cls.addClassCleanup(cls.dst.stop)

    def copy(self, repo, *extra, timeout=60):
        return ip("copy", "%s/%s:v1" % (self.hostile.host, repo), "%s/%s:v1" % (self.dst.host, repo), "--retries", "1",
                  *extra, insecure=[self.hostile.host, self.dst.host], timeout=timeout)

    def test_blob_larger_than_declared_is_stopped(self):
        start = time.time()
        r = self.copy("endless/app")
        self.assertExit(r, 3)
        self.assertIn("larger than the 133 bytes", r.stdout + r.stderr)
        self.assertLess(time.time() - start, 30)
        time.sleep(0.5)
        # What the server managed to push into socket buffers, not a disk-filling stream.
        self.assertLess(self.hostile.stats()["endless_bytes"], 64 << 20)
        self.assertIsNone(self.dst.resolve("endless/app", "v1"))

    def test_a_dripping_registry_meets_the_deadline(self):
        start = time.time()
        r = ip("inspect", "%s/drip/app:v1" % self.hostile.host, "--timeout", "3s", "--retries", "3",
               insecure=[self.hostile.host], timeout=60)
        elapsed = time.time() - start
        self.assertExit(r, 3)
        self.assertIn("--timeout", r.stdout + r.stderr)
        self.assertLess(elapsed, 15)

    def test_deeply_nested_index_is_refused_quickly(self):
        before = self.hostile.stats()["manifest_gets"]
        start = time.time()
        r = self.copy("deep/app")
        self.assertExit(r, 3)
        self.assertIn("nests indexes more than", r.stdout + r.stderr)
        self.assertLess(time.time() - start, 20)
        self.assertLess(self.hostile.stats()["manifest_gets"] - before, 30)


class StreamedCopyTest(ToolTest):
    """Item 12: large blobs stream registry to registry; under faults a failed stream falls back
    to the retried file path, and every copy is verified or absent."""

    def test_streamed_copies_under_faults(self):
        from ip_fixture import FaultProxy
        src, dst = Registry(), Registry()
        self.addCleanup(src.stop)
        self.addCleanup(dst.stop)
        img = ImageBuilder()
        self.addCleanup(img.cleanup)
        digest = img.push(img.single("big", "big", extra_bytes=3 << 20), src.host, "team/big", "v1")
        r = ip("copy", "%s/team/big@%s" % (src.host, digest), "%s/clean/big:v1" % dst.host, "--json",
               insecure=[src.host, dst.host])
        self.assertExit(r, 0)
        self.assertEqual(r.json()["blobs_streamed"], 1)
        self.assertEqual(dst.resolve("clean/big", "v1"), digest)
        proxy = FaultProxy(dst, rate=0.0, seed=12)
        self.addCleanup(proxy.stop)
        src_proxy = FaultProxy(src, rate=0.0, seed=13)
        self.addCleanup(src_proxy.stop)
        proxy.set_rate(0.25)
        src_proxy.set_rate(0.25)
        codes = []
        for i in range(8):
            r = ip("copy", "%s/team/big@%s" % (src_proxy.host, digest), "%s/f%d/big:v1" % (proxy.host, i), "--retries", "4",
                   "--retry-delay", "1ms", insecure=[proxy.host, src_proxy.host], timeout=120)
            codes.append(r.code)
            tag = dst.resolve("f%d/big" % i, "v1")
            if r.code == 0:
                self.assertEqual(tag, digest, r)
            else:
                self.assertIn(r.code, (3, 4), r)
                self.assertIn(tag, (None, digest), r)
        self.assertGreater(codes.count(0), 3, codes)


class ValidationTest(ToolTest):
    """Item 24: bad input is exit 2 with one line, before any request."""

    def one_line_usage(self, r):
        self.assertExit(r, 2)
        self.assertEqual(len([l for l in r.stderr.splitlines() if "error" in l.lower()]) >= 1, True, r.stderr)

    def test_jobs_out_of_range(self):
        # Nothing listens on port 1: a request would be exit 3, so exit 2 proves nothing was sent.
        for jobs in ("0", "100000", "abc"):
            r = ip("copy", "127.0.0.1:1/a/b:v1", "127.0.0.1:1/c/d:v1", "--jobs", jobs, insecure=["127.0.0.1:1"])
            self.assertExit(r, 2)
            self.assertIn("--jobs", r.stdout + r.stderr)
        r = ip("promote", "127.0.0.1:1/a/b@sha256:" + "a" * 64, "--to", "x", "--jobs", "0", insecure=["127.0.0.1:1"])
        self.assertExit(r, 2)
        r = ip(env={"INPUT_COMMAND": "copy", "INPUT_SOURCE": "127.0.0.1:1/a/b:v1", "INPUT_DESTINATION": "127.0.0.1:1/c/d",
                    "INPUT_JOBS": "abc", "INPUT_INSECURE-REGISTRY": "127.0.0.1:1"})
        self.assertExit(r, 2)

    def test_registry_without_repository(self):
        for args in (("digest", "127.0.0.1:5000"), ("history", "localhost:5000", "--tag", "x"),
                     ("copy", "127.0.0.1:1/a/b:v1", "127.0.0.1:5000")):
            r = ip(*args, insecure=["127.0.0.1:1"])
            self.assertExit(r, 2)
            self.assertIn("no repository", r.stdout + r.stderr)

    def test_trivy_report_that_is_a_directory(self):
        d = tempfile.mkdtemp(prefix="ip-report-dir-")
        r = ip("gate", "--trivy-report", d)
        self.assertExit(r, 2)
        self.assertIn("is a directory", r.stdout + r.stderr)
        r = ip("promote", "127.0.0.1:1/a/b@sha256:" + "a" * 64, "--to", "x", "--require-scan", d, insecure=["127.0.0.1:1"])
        self.assertExit(r, 2)
        self.assertIn("is a directory", r.stdout + r.stderr)
        r = ip("gate", "--trivy-report", "/nonexistent/trivy.json")
        self.assertExit(r, 2)


if __name__ == "__main__":
    unittest.main()
