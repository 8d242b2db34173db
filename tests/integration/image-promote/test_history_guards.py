"""The promotion history and the guards around it, from a hostile tester's pass (session 7), against
a real docker-registry: a rollback never follows a rollback entry forward to the release it undid;
a tag too long to keep a history for is refused before anything moves; an unreadable history does
not lock a tag out of its emergency rollback; a newer history is not overwritten; --expect-current
on several tags is checked before the first moves; --settle never outlasts --timeout; rollback --to
goes only to a digest the tag ran."""
import hashlib
import json
import time
import unittest

from ip_fixture import ImageBuilder, Registry, ToolTest, ip, put_manifest

EMPTY = {"mediaType": "application/vnd.oci.empty.v1+json",
         "digest": "sha256:" + hashlib.sha256(b"{}").hexdigest(), "size": 2}


class HistoryGuardTest(ToolTest):
    @classmethod
    def setUpClass(cls):
        cls.reg = Registry()
        cls.addClassCleanup(cls.reg.stop)
        img = cls.images = ImageBuilder()
        cls.addClassCleanup(cls.images.cleanup)
        cls.v = [img.push(img.single("v%d" % i, "release-%d" % i), cls.reg.host, "app", "sha-%d" % i) for i in range(1, 5)]

    def run_ip(self, *args, timeout=120):
        return ip(*args, "--settle", "0s", insecure=[self.reg.host], timeout=timeout) if args[0] in ("promote", "rollback") \
            else ip(*args, insecure=[self.reg.host], timeout=timeout)

    def promote(self, version, tag, *extra):
        return self.run_ip("promote", "%s/app@%s" % (self.reg.host, self.v[version - 1]), "--to", tag, *extra)

    def rollback(self, tag, *extra):
        return self.run_ip("rollback", "%s/app" % self.reg.host, "--tag", tag, *extra)

    def current(self, tag):
        return self.reg.resolve("app", tag)

    def put_history(self, tag, annotation):
        put_manifest(self.reg.host, "app", {
            "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "artifactType": "application/vnd.yonima.promotion-history.v1+json", "config": EMPTY, "layers": [EMPTY],
            "annotations": {"dev.yonima.promotion-history": annotation}}, tag="_yonima-history-" + tag)

    def test_rollback_to_goes_only_to_a_release_the_tag_ran(self):
        # v4 was pushed but never promoted (say the scan gate refused it): `rollback --to v4` would put
        # it in production past the gate. Refused with nothing changed; --allow-unrecorded is the
        # escape for a tag that ran it before its history began.
        v1, v2, v4 = self.v[0], self.v[1], self.v[3]
        for n in (1, 2):
            self.assertExit(self.promote(n, "tr"), 0)
        r = self.rollback("tr", "--to", v4)
        self.assertExit(r, 1)
        self.assertIn("never ran as", r.stderr)
        self.assertIn("image-promote promote", r.stderr)
        self.assertEqual(self.current("tr"), v2)
        self.assertExit(self.rollback("tr", "--to", v1), 0)
        self.assertEqual(self.current("tr"), v1)
        self.assertExit(self.rollback("tr", "--to", v2), 0)   # ran, and what the rollback left
        r = self.rollback("tr", "--to", v4, "--allow-unrecorded")
        self.assertExit(r, 0)
        self.assertEqual(self.current("tr"), v4)
        self.assertExit(self.rollback("tr", "--allow-unrecorded"), 2)

    def test_a_rollback_never_follows_a_rollback_entry_forward(self):
        v1, v2, v3 = self.v[:3]
        for n in (1, 2, 3):
            self.assertExit(self.promote(n, "tp"), 0)
        self.assertExit(self.rollback("tp", "--to-previous-of", v3), 0)   # 3 a.m.: v3 is bad
        self.assertEqual(self.current("tp"), v2)
        self.assertExit(self.promote(2, "tp"), 0)                         # v2's pipeline re-run: a no-op
        r = self.rollback("tp", "--to-previous-of", v2, "--dry-run")     # its health gate flakes
        self.assertExit(r, 0)
        self.assertIn(v1, r.stdout + r.stderr + r.summary)
        r = self.rollback("tp", "--expect-current", v2, "--dry-run")     # the workflow's own guard
        self.assertExit(r, 0)
        self.assertIn(v1, r.stdout + r.stderr + r.summary)
        self.assertIn("is not the promotion of", r.stderr)
        r = self.rollback("tp", "--to-previous-of", v2)
        self.assertExit(r, 0)
        self.assertEqual(self.current("tp"), v1)                          # not v3, the release rolled back

    def test_a_tag_too_long_for_its_history_is_refused_before_any_tag_moves(self):
        r = self.promote(4, "lt-first," + "a" * 120)
        self.assertExit(r, 2)
        self.assertIn("too long to keep a history", r.stdout + r.stderr)
        self.assertIsNone(self.current("lt-first"))
        self.assertExit(self.rollback("a" * 120), 2)

    def test_an_unreadable_history_does_not_lock_the_tag_out(self):
        v1, v2 = self.v[:2]
        self.assertExit(self.promote(1, "corrupt"), 0)
        self.put_history("corrupt", json.dumps({"schemaVersion": 1, "entries": [{"digest": "x", "previous": 5}]}))
        r = self.run_ip("history", "%s/app" % self.reg.host, "--tag", "corrupt")
        self.assertExit(r, 3)
        self.assertIn("app:_yonima-history-corrupt", r.stdout + r.stderr)
        self.assertIn("malformed", r.stdout + r.stderr)
        r = self.rollback("corrupt")
        self.assertExit(r, 3)
        self.assertIn("--to DIGEST", r.stdout + r.stderr)
        self.assertEqual(self.current("corrupt"), v1)
        r = self.promote(2, "corrupt")
        self.assertExit(r, 0)
        self.assertIn("starting a new history", r.stderr)
        self.assertEqual(self.current("corrupt"), v2)
        r = self.rollback("corrupt", "--to", v1)
        self.assertExit(r, 0)
        self.assertEqual(self.current("corrupt"), v1)
        h = self.run_ip("history", "%s/app" % self.reg.host, "--tag", "corrupt", "--json")
        self.assertExit(h, 0)
        self.assertEqual([e["digest"] for e in h.json()["entries"]], [v1, v2])

    def test_a_history_of_a_newer_schema_is_not_overwritten(self):
        self.assertExit(self.promote(1, "newer"), 0)
        self.put_history("newer", json.dumps({"schemaVersion": 2, "entries": []}))
        r = self.promote(2, "newer")
        self.assertExit(r, 3)
        self.assertIn("newer image-promote", r.stdout + r.stderr)
        self.assertEqual(self.current("newer"), self.v[0])

    def test_a_newer_history_on_a_later_tag_refuses_before_the_first_tag_moves(self):
        self.assertExit(self.promote(1, "nw-a,nw-b"), 0)
        self.put_history("nw-b", json.dumps({"schemaVersion": 2, "entries": []}))
        r = self.promote(2, "nw-a,nw-b")
        self.assertExit(r, 3)
        self.assertEqual(self.current("nw-a"), self.v[0])

    def test_expect_current_on_several_tags_is_checked_before_the_first_moves(self):
        self.assertExit(self.promote(1, "m-one"), 0)
        self.assertExit(self.promote(2, "m-two"), 0)
        r = self.promote(3, "m-one,m-two", "--expect-current", self.v[0])
        self.assertExit(r, 1)
        self.assertIn("no tag was moved", r.stderr + r.stdout)
        self.assertEqual(self.current("m-one"), self.v[0])
        self.assertEqual(self.current("m-two"), self.v[1])

    def test_settle_is_cut_to_what_is_left_of_the_timeout(self):
        self.assertExit(self.promote(1, "st"), 0)
        start = time.monotonic()
        r = ip("promote", "%s/app@%s" % (self.reg.host, self.v[1]), "--to", "st", "--expect-current", self.v[0],
               "--settle", "40s", "--timeout", "3s", insecure=[self.reg.host], timeout=60)
        elapsed = time.monotonic() - start
        self.assertExit(r, 0)
        self.assertLess(elapsed, 10)  # bounded by --timeout, not the 40 s settle
        self.assertIn("cut to", r.stderr)
        h = self.run_ip("history", "%s/app" % self.reg.host, "--tag", "st", "--json")
        self.assertEqual(h.json()["entries"][0]["digest"], self.v[1])


if __name__ == "__main__":
    unittest.main()
