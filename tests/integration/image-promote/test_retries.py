"""Retries: one retry schedule per operation (a blob upload is POST + PUT: --retries N means at
most N of each, not N x N), Retry-After honoured on blob transfers too, and the `requests` figure
counts every HTTP attempt, retries and token fetches included."""
import time
import unittest

from ip_fixture import FaultProxy, ImageBuilder, Registry, ToolTest, ip

PASSWORD = "s3cret-Pa55"


class RetryTest(ToolTest):
    @classmethod
    def setUpClass(cls):
        cls.src = Registry()
        cls.addClassCleanup(cls.src.stop)
        cls.dst = Registry()
        cls.addClassCleanup(cls.dst.stop)
        cls.proxy = FaultProxy(cls.dst, rate=0.0)
        cls.addClassCleanup(cls.proxy.stop)
        cls.src_proxy = FaultProxy(cls.src, rate=0.0)
        cls.addClassCleanup(cls.src_proxy.stop)
        img = cls.images = ImageBuilder()
        cls.addClassCleanup(cls.images.cleanup)
        cls.digest = img.push(img.single("s", "retried", extra_bytes=4096), cls.src.host, "team/app", "v1")

    def setUp(self):
        self.proxy.set_rules([])
        self.src_proxy.set_rules([])

    def copy(self, dst_repo, *extra):
        return ip("copy", "%s/team/app@%s" % (self.src_proxy.host, self.digest), "%s/%s/app:v1" % (self.proxy.host, dst_repo),
                  "--jobs", "1", *extra, insecure=[self.proxy.host, self.src_proxy.host])

    def rule_hits(self, proxy):
        return [r["hits"] for r in proxy.stats()["rules"]]

    def test_a_failing_blob_upload_is_tried_retries_times_not_squared(self):
        self.proxy.set_rules([{"method": "PUT", "path": "/blobs/uploads/", "status": 500}])
        r = self.copy("squared", "--retries", "3", "--retry-delay", "1ms")
        self.assertExit(r, 3)
        self.assertIn("upload of", r.stdout + r.stderr)
        # Blobs go one at a time and the first one fails: 3 attempts, each one POST and one PUT.
        self.assertEqual(self.rule_hits(self.proxy), [3])
        log = self.dst.access_log()
        self.assertEqual(sum(1 for m, p, s in log if m == "POST" and p.startswith("/v2/squared/app/blobs/uploads/")), 3)
        self.assertIsNone(self.dst.resolve("squared/app", "v1"))

    def test_retry_after_is_honoured_on_blob_download_and_upload(self):
        for proxy, method, path in ((self.src_proxy, "GET", "/blobs/sha256:"), (self.proxy, "PUT", "/blobs/uploads/")):
            proxy.set_rules([{"method": method, "path": path, "status": 429, "headers": {"Retry-After": "2"}, "times": 1}])
            start = time.time()
            r = self.copy("after-%s" % method.lower(), "--retries", "3", "--retry-delay", "1ms")
            elapsed = time.time() - start
            proxy.set_rules([])
            self.assertExit(r, 0)
            self.assertEqual(self.dst.resolve("after-%s/app" % method.lower(), "v1"), self.digest)
            # --retry-delay is 1ms: only the server's Retry-After explains the wait.
            self.assertGreaterEqual(elapsed, 1.9, "%s %s: Retry-After not honoured (%.2fs)" % (method, path, elapsed))

    def test_requests_counts_every_attempt_and_token_fetch(self):
        token = Registry(auth="token", users={"ci": PASSWORD})
        self.addCleanup(token.stop)
        img = ImageBuilder()
        self.addCleanup(img.cleanup)
        digest = img.push(img.single("t", "counted"), token.host, "team/app", "v1", creds=("ci", PASSWORD))
        proxy = FaultProxy(token, rate=0.0)
        self.addCleanup(proxy.stop)
        # Two retried answers on the way: each attempt is a request.
        proxy.set_rules([{"method": "HEAD", "path": "/manifests/prod$", "status": 503, "times": 2}])
        tokens_before = token.token_server.stats()["token_requests"]
        r = ip("promote", "%s/team/app@%s" % (proxy.host, digest), "--to", "prod", "--username", "ci", "--password-stdin",
               "--retries", "4", "--retry-delay", "1ms", "--json", insecure=[proxy.host], input=PASSWORD + "\n")
        self.assertExit(r, 0)
        tokens = token.token_server.stats()["token_requests"] - tokens_before
        self.assertGreaterEqual(tokens, 1)
        self.assertEqual(self.rule_hits(proxy), [2])
        self.assertEqual(r.json()["requests"], proxy.stats()["requests"] + tokens)


if __name__ == "__main__":
    unittest.main()
