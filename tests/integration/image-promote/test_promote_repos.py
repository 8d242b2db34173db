"""promote into other repositories: every destination holds the image before any tag moves, and
the history read during the copy does not overwrite a promotion made meanwhile."""
import threading
import time
import unittest

from ip_fixture import ToolTest, ip, releases_behind_a_fault_proxy
from registry import read_history

SRC = "yonima/backend"


class PromoteReposTest(ToolTest):
    @classmethod
    def setUpClass(cls):
        cls.v1, cls.v2, cls.v3 = releases_behind_a_fault_proxy(cls, SRC, 3)

    def setUp(self):
        self.proxy.set_rules([])

    def promote(self, host, digest, *targets):
        return ip("promote", "%s/%s@%s" % (host, SRC, digest), "--to", ",".join(targets), "--retries", "2",
                  "--retry-delay", "1ms", insecure=[host])

    def test_a_second_repository_refusing_the_image_changes_nothing(self):
        # The first tag's PUT stores the image in its repository; the other repository must get
        # it before that tag moves, so that its refusal leaves everything as it was (exit 3).
        h = self.proxy.host
        self.proxy.set_rules([{"method": "PUT", "path": "^/v2/refusing/app/manifests/", "status": 400,
                               "headers": {}}])
        r = self.promote(h, self.v1, "%s/accepting/app:live" % h, "%s/refusing/app:live" % h)
        self.proxy.set_rules([])
        out = r.stdout + r.stderr
        self.assertExit(r, 3)
        self.assertNotIn("part-way", out)
        self.assertIsNone(self.reg.resolve("accepting/app", "live"), out)
        self.assertIsNone(self.reg.resolve("refusing/app", "live"), out)
        # Accepted, both tags move and the second repository holds the image under its tag.
        r = self.promote(h, self.v1, "%s/accepting/app:live" % h, "%s/refusing/app:live" % h)
        self.assertExit(r, 0)
        self.assertEqual(self.reg.resolve("accepting/app", "live"), self.v1)
        self.assertEqual(self.reg.resolve("refusing/app", "live"), self.v1)

    def test_a_promotion_made_during_the_copy_stays_in_the_history(self):
        h = self.proxy.host
        target = "%s/racing/app:live" % h
        self.assertExit(self.promote(h, self.v1, target), 0)
        # Ours (v3) reads the history at the start of its copy, then the copy is held for 3 s
        # (the HEAD of the image in the destination); meanwhile another promotion (v2, straight
        # to the registry) moves the tag and records itself.
        self.proxy.set_rules([{"method": "HEAD", "path": "^/v2/racing/app/manifests/sha256:", "delay": 3, "times": 1}])
        ours = {}
        t = threading.Thread(target=lambda: ours.setdefault("r", self.promote(h, self.v3, target)))
        t.start()
        time.sleep(1)
        r = self.promote(self.reg.host, self.v2, "%s/racing/app:live" % self.reg.host)
        self.assertExit(r, 0)
        t.join()
        self.proxy.set_rules([])
        self.assertExit(ours["r"], 0)
        self.assertEqual(self.reg.resolve("racing/app", "live"), self.v3)
        _, entries = read_history(self.reg, "racing/app", "live")
        self.assertEqual([(e["digest"], e["previous"]) for e in entries],
                         [(self.v3, self.v2), (self.v2, self.v1), (self.v1, "")])


if __name__ == "__main__":
    unittest.main()
