"""The history write after a tag write fails (fault proxy failing only that PUT): the tag is put
back (exit 3, nothing changed), or, when it cannot be, exit 4 with the exact state and a re-run
that records the missing entry. A 401 there (an expired token whose refresh is refused) makes the
client throw instead of answering false: it must take the same path."""
import unittest

from ip_fixture import ToolTest, ip, releases_behind_a_fault_proxy
from registry import read_history

REPO = "yonima/backend"
# Anonymous client + a Basic challenge = "no credentials for this registry": the client raises.
UNAUTHORIZED = {"status": 401, "headers": {"WWW-Authenticate": 'Basic realm="yonima-test"'}}


class HistoryFailureTest(ToolTest):
    @classmethod
    def setUpClass(cls):
        cls.v1, cls.v2 = releases_behind_a_fault_proxy(cls, REPO, 2)

    def setUp(self):
        self.proxy.set_rules([])

    def promote(self, digest, tag):
        return ip("promote", "%s/%s@%s" % (self.proxy.host, REPO, digest), "--to", tag, "--retries", "2",
                  "--retry-delay", "1ms", insecure=[self.proxy.host])

    @staticmethod
    def fail_history_put(tag, fault):
        return dict(fault, method="PUT", path="/manifests/_yonima-history-%s$" % tag)

    def test_history_put_failing_puts_the_tag_back(self):
        for n, fault in enumerate((UNAUTHORIZED, {"status": 500})):
            tag = "prod-back-%d" % n
            self.assertExit(self.promote(self.v1, tag), 0)
            hist_before = read_history(self.reg, REPO, tag)
            self.proxy.set_rules([self.fail_history_put(tag, fault)])
            r = self.promote(self.v2, tag)
            self.proxy.set_rules([])
            out = r.stdout + r.stderr
            self.assertExit(r, 3)
            self.assertIn("put back at", out)
            self.assertIn("nothing was changed", out)
            self.assertEqual(self.reg.resolve(REPO, tag), self.v1, out)  # the tag is where it was
            self.assertEqual(read_history(self.reg, REPO, tag), hist_before)
            # Nothing half-done: the same promotion now succeeds and records itself once.
            r = self.promote(self.v2, tag)
            self.assertExit(r, 0)
            _, entries = read_history(self.reg, REPO, tag)
            self.assertEqual([(e["digest"], e["previous"]) for e in entries], [(self.v2, self.v1), (self.v1, "")])

    def test_history_and_restore_failing_is_exit_4_with_the_exact_state(self):
        tag = "prod-stuck"
        self.assertExit(self.promote(self.v1, tag), 0)
        hist_before = read_history(self.reg, REPO, tag)
        # The first PUT of the tag (the move) goes through; the one that would put it back fails.
        self.proxy.set_rules([self.fail_history_put(tag, UNAUTHORIZED),
                              dict(UNAUTHORIZED, method="PUT", path="/manifests/%s$" % tag, skip=1)])
        r = self.promote(self.v2, tag)
        self.proxy.set_rules([])
        out = r.stdout + r.stderr
        self.assertExit(r, 4)
        self.assertNotIn("nothing was changed", out)
        self.assertEqual(self.reg.resolve(REPO, tag), self.v2)  # moved, and the message says so
        self.assertIn("was moved from %s to %s" % (self.v1, self.v2), out)
        self.assertIn("no history entry", out)
        self.assertIn("image-promote promote %s/%s@%s --to %s" % (self.proxy.host, REPO, self.v1, tag), out)  # undo
        self.assertEqual(read_history(self.reg, REPO, tag), hist_before)
        # Keeping the move: the same promote records the missing entry without moving the tag.
        r = self.promote(self.v2, tag)
        self.assertExit(r, 0)
        self.assertEqual(r.outputs["previous-digest"], self.v2)  # the tag already pointed there
        _, entries = read_history(self.reg, REPO, tag)
        self.assertEqual([(e["digest"], e["previous"]) for e in entries], [(self.v2, self.v1), (self.v1, "")])

    def test_new_tag_whose_history_fails_is_exit_4_and_recoverable(self):
        tag = "prod-new"
        self.proxy.set_rules([self.fail_history_put(tag, {"status": 503})])
        r = self.promote(self.v1, tag)
        self.proxy.set_rules([])
        out = r.stdout + r.stderr
        self.assertExit(r, 4)
        self.assertEqual(self.reg.resolve(REPO, tag), self.v1)
        self.assertIn("now points at %s (it did not exist before)" % self.v1, out)
        self.assertIn("could not be written", out)
        self.assertEqual(read_history(self.reg, REPO, tag), (None, []))
        r = self.promote(self.v1, tag)
        self.assertExit(r, 0)
        _, entries = read_history(self.reg, REPO, tag)
        self.assertEqual([(e["digest"], e["previous"]) for e in entries], [(self.v1, "")])


if __name__ == "__main__":
    unittest.main()
