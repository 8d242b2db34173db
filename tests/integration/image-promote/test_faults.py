"""Fault injection: a proxy in front of the registry answers 500, 429 + Retry-After or resets the
connection at random (fixed seed). Every promotion either succeeds with the tag verified and
recorded, or fails with the tag and its history unchanged. Bounded: 200 promotions of tiny images."""
import collections
import time
import unittest

from ip_fixture import FaultProxy, ImageBuilder, Registry, ToolTest, ip
from registry import read_history

PROMOTIONS = 200


class FaultTest(ToolTest):
    def test_every_promotion_is_all_or_nothing(self):
        reg = Registry()
        self.addCleanup(reg.stop)
        img = ImageBuilder()
        self.addCleanup(img.cleanup)
        proxy = FaultProxy(reg, rate=0.0, seed=20261124)
        self.addCleanup(proxy.stop)
        digests = [img.push(img.single("v%d" % i, "release-%d" % i), reg.host, "yonima/backend", "v%d" % i)
                   for i in range(3)]
        proxy.set_rate(0.2)
        codes = collections.Counter()
        deadline = time.time() + 240
        for i in range(PROMOTIONS):
            self.assertLess(time.time(), deadline, "fault test took too long")
            target = digests[i % 3]
            before = reg.resolve("yonima/backend", "production")
            hist_before, entries_before = read_history(reg, "yonima/backend", "production")
            r = ip("promote", "%s/yonima/backend@%s" % (proxy.host, target), "--to", "production",
                   "--retries", "2", "--retry-delay", "1ms", insecure=[proxy.host], timeout=60)
            codes[r.code] += 1
            after = reg.resolve("yonima/backend", "production")
            hist_after, entries_after = read_history(reg, "yonima/backend", "production")
            if r.code == 0:
                self.assertEqual(after, target, r)
                self.assertEqual(entries_after[0]["digest"], target, r)
                if before == target:  # earlier failures left the tag here already: a no-op
                    self.assertEqual(hist_after, hist_before, r)
                else:
                    self.assertEqual(entries_after[0]["previous"], before or "", r)
                    self.assertEqual(len(entries_after), min(100, len(entries_before) + 1), r)
            else:
                self.assertEqual(r.code, 3, r)
                self.assertEqual(after, before, r)
                self.assertEqual(hist_after, hist_before, r)
                self.assertIn("nothing was changed", r.stdout + r.stderr, r)
        stats = proxy.stats()
        print("\nfault test: exit codes %s, proxy %s" % (dict(codes), stats))
        self.assertGreater(codes[0], PROMOTIONS // 2)
        self.assertGreater(sum(stats["faults"].values()), 100)

    def test_cross_registry_copies_under_faults_are_verified_or_absent(self):
        src = Registry()
        self.addCleanup(src.stop)
        dst = Registry()
        self.addCleanup(dst.stop)
        img = ImageBuilder()
        self.addCleanup(img.cleanup)
        proxy = FaultProxy(dst, rate=0.0, seed=77)
        self.addCleanup(proxy.stop)
        src_proxy = FaultProxy(src, rate=0.0, seed=78)
        self.addCleanup(src_proxy.stop)
        digest = img.push(img.multi("m", "copied under faults", archs=("amd64", "arm64", "ppc64le")), src.host,
                          "team/app", "v1")
        proxy.set_rate(0.2)
        src_proxy.set_rate(0.2)
        codes = collections.Counter()
        for i in range(20):
            r = ip("copy", "%s/team/app@%s" % (src_proxy.host, digest), "%s/copy%d/app:v1" % (proxy.host, i),
                   "--retries", "3", "--retry-delay", "1ms", "--jobs", "3",
                   insecure=[proxy.host, src_proxy.host], timeout=60)
            codes[r.code] += 1
            tag = dst.resolve("copy%d/app" % i, "v1")
            if r.code == 0:
                self.assertEqual(tag, digest, r)
                self.assertEqual(r.outputs["digest"], digest)
            elif r.code == 4:
                # The tag was written (or maybe written) but could not be read back: the tool says
                # so instead of claiming nothing changed, and the tag is either absent or right.
                self.assertIn("could not be read back", r.stdout + r.stderr, r)
                self.assertIn(tag, (None, digest), r)
            else:
                self.assertEqual(r.code, 3, r)
                self.assertIsNone(tag, r)  # the tag is written last: a failed copy leaves none
        print("\ncopy under faults: exit codes %s, proxies %s %s" % (dict(codes), proxy.stats()["faults"],
                                                                      src_proxy.stats()["faults"]))
        self.assertGreater(codes[0], 10)


if __name__ == "__main__":
    unittest.main()
