"""Artifacts attached to an image travel with it: those the OCI 1.1 referrers API lists and those
under cosign's tag scheme, both, whatever the API answers. docker-registry 2.8 has no referrers
API, so a stand-in (tests/support/referrers_proxy.py) serves /v2/<name>/referrers/<digest> in
front of it, one referrer per page so that Link pagination is followed."""
import json
import threading
import unittest
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from ip_fixture import ImageBuilder, Registry, ToolTest, ip
from registry import FaultProxy, ReferrersProxy, push_referrer
from upstream import forward, relay

SBOM = "application/spdx+json"
BUNDLE = "application/vnd.dev.sigstore.bundle.v0.3+json"


class ReferrersTest(ToolTest):
    @classmethod
    def setUpClass(cls):
        cls.src = Registry()
        cls.addClassCleanup(cls.src.stop)
        cls.dst = Registry()
        cls.addClassCleanup(cls.dst.stop)
        cls.api = ReferrersProxy(cls.src, page_size=1)
        cls.addClassCleanup(cls.api.stop)
        img = cls.images = ImageBuilder()
        cls.addClassCleanup(cls.images.cleanup)
        h = cls.src.host
        # An image with two referrers (API only, no tags) and a cosign .sig tag.
        cls.index = img.push(img.multi("m", "with referrers"), h, "team/app", "v1")
        subject = {"mediaType": "application/vnd.oci.image.index.v1+json", "digest": cls.index,
                   "size": len(cls.src._request("GET", "/v2/team/app/manifests/" + cls.index,
                                                {"Accept": "application/vnd.oci.image.index.v1+json"}).read())}
        cls.sbom = push_referrer(cls.api.host, "team/app", subject, SBOM, json.dumps({"spdxVersion": "SPDX-2.3"}).encode(),
                                 SBOM)
        cls.bundle = push_referrer(cls.api.host, "team/app", subject, BUNDLE, b'{"mediaType": "bundle"}', BUNDLE)
        cls.sig_tag = "sha256-%s.sig" % cls.index.split(":")[1]
        img.signature_for("sig", cls.index)
        cls.sig = img.push("sig", h, "team/app", cls.sig_tag)
        # An image whose only attachment is a .sig tag: the API answers an empty list for it.
        cls.plain = img.push(img.single("p", "signed only"), h, "team/app", "v2")
        cls.plain_sig_tag = "sha256-%s.sig" % cls.plain.split(":")[1]
        img.signature_for("psig", cls.plain)
        cls.plain_sig = img.push("psig", h, "team/app", cls.plain_sig_tag)

    def setUp(self):
        self.api.fail_with(0)

    def test_the_stand_in_lists_referrers_page_by_page(self):
        self.assertEqual(sorted(r["digest"] for r in self.api.referrers("team/app", self.index)),
                         sorted([self.sbom, self.bundle]))
        self.assertEqual(self.api.referrers("team/app", self.plain), [])

    def test_cosign_tags_are_found_without_a_tag_list(self):
        # One page of the tag list answers for the four cosign tags; a registry whose list cannot
        # be used (here: 404 in front of it) is asked tag by tag, and the signature still travels.
        proxy = FaultProxy(self.src, rate=0.0)
        self.addCleanup(proxy.stop)
        proxy.set_rules([{"method": "GET", "path": "/tags/list", "status": 404}])
        r = ip("promote", "%s/team/app@%s" % (proxy.host, self.plain), "--to", "%s/nolist/app:live" % self.dst.host,
               "--json", insecure=[proxy.host, self.dst.host])
        self.assertExit(r, 0)
        self.assertEqual(r.json()["attached_artifacts"], 1)
        self.assertEqual(self.dst.resolve("nolist/app", self.plain_sig_tag), self.plain_sig)
        self.assertEqual(proxy.stats()["rules"][0]["hits"], 1)

    def tag_list_stand_in(self, answer):
        """A registry in front of the source whose tag list is `answer(name, query)` -> (tags, the
        query of the next page or None); every other request goes to the source. Returns its host."""
        src = self.src

        class TagList(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def do_any(self):
                url = urlparse(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                if url.path.endswith("/tags/list"):
                    name = url.path[len("/v2/"):-len("/tags/list")]
                    tags, next_query = answer(name, url.query)
                    data = json.dumps({"name": name, "tags": tags}).encode()
                    self.send_response(200)
                    if next_query:
                        self.send_header("Link", '<%s%s>; rel="next"' % (url.path, next_query))
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                    return
                host, port = src.host.split(":")
                relay(self, *forward(self, host, port, body))

            do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_any

        server = ThreadingHTTPServer(("127.0.0.1", 0), TagList)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.addCleanup(server.shutdown)
        return "127.0.0.1:%d" % server.server_address[1]

    def test_cosign_tags_found_in_a_paginated_tag_list(self):
        # A registry that ignores `last` and `n` and pages its tag list one tag per page (Link):
        # the pages are followed until one ends past the cosign tags.
        def pages(name, query):
            tags = sorted(self.src.tags(name))
            page = int(parse_qs(query).get("page", ["0"])[0])
            more = page + 1 < len(tags)
            return tags[page:page + 1], ('?page=%d' % (page + 1)) if more else None

        host = self.tag_list_stand_in(pages)
        before = len(self.src.access_log())
        r = ip("promote", "%s/team/app@%s" % (host, self.plain), "--to", "%s/paged/app:live" % self.dst.host,
               "--json", insecure=[host, self.dst.host])
        self.assertExit(r, 0)
        self.assertEqual(r.json()["attached_artifacts"], 1)
        self.assertEqual(self.dst.resolve("paged/app", self.plain_sig_tag), self.plain_sig)
        # Found in the list, not by asking each tag.
        self.assertEqual([l for l in self.src.access_log()[before:] if l[0] == "HEAD" and "/manifests/sha256-" in l[1]],
                         [])

    def test_a_tag_list_cut_at_n_without_a_link_is_not_taken_as_complete(self):
        # A registry with more tags than a page that honours `n` but ignores `last` and sends no
        # Link: its one page holds tags that sort before the cosign tags, and the rest is out of
        # reach. The signature is found by asking for it, not silently left behind.
        def cut(name, query):
            n = int(parse_qs(query).get("n", ["1000"])[0])
            return sorted(self.src.tags(name) + ["build-%03d" % i for i in range(150)])[:n], None

        host = self.tag_list_stand_in(cut)
        r = ip("promote", "%s/team/app@%s" % (host, self.plain), "--to", "%s/cut/app:live" % self.dst.host,
               "--json", insecure=[host, self.dst.host])
        self.assertExit(r, 0)
        self.assertEqual(r.json()["attached_artifacts"], 1)
        self.assertEqual(self.dst.resolve("cut/app", self.plain_sig_tag), self.plain_sig)

    def test_a_tag_list_refused_after_reauthentication_falls_back_to_asking_each_tag(self):
        # 401 on the list only (it may need a right the manifest reads do not): the list is not
        # needed, so the promotion goes on and the cosign tags are asked for one by one.
        proxy = FaultProxy(self.src, rate=0.0)
        self.addCleanup(proxy.stop)
        proxy.set_rules([{"method": "GET", "path": "/tags/list", "status": 401,
                          "headers": {"WWW-Authenticate": 'Basic realm="yonima-test"'}}])
        r = ip("promote", "%s/team/app@%s" % (proxy.host, self.plain), "--to", "%s/unauth-list/app:live" % self.dst.host,
               "--json", insecure=[proxy.host, self.dst.host])
        self.assertExit(r, 0)
        self.assertEqual(r.json()["attached_artifacts"], 1)
        self.assertEqual(self.dst.resolve("unauth-list/app", self.plain_sig_tag), self.plain_sig)
        self.assertGreaterEqual(proxy.stats()["rules"][0]["hits"], 1)

    def test_api_referrers_and_tag_scheme_both_travel(self):
        before = self.api.stats()["requests"].get("200", 0)
        r = ip("promote", "%s/team/app@%s" % (self.api.host, self.index), "--to", "%s/prod/app:live" % self.dst.host,
               "--json", insecure=[self.api.host, self.dst.host])
        self.assertExit(r, 0)
        self.assertEqual(r.json()["attached_artifacts"], 3)
        self.assertEqual(self.dst.resolve("prod/app", "live"), self.index)
        # The API-listed artifacts are in the destination by digest (a registry with the API
        # indexes them by their subject), the signature under its tag.
        self.assertEqual(self.dst.resolve("prod/app", self.sbom), self.sbom)
        self.assertEqual(self.dst.resolve("prod/app", self.bundle), self.bundle)
        self.assertEqual(self.dst.resolve("prod/app", self.sig_tag), self.sig)
        # Two referrers, one per page: the Link to the second page was followed.
        self.assertEqual(self.api.stats()["requests"].get("200", 0) - before, 2)

    def test_an_empty_referrers_list_still_looks_at_the_tags(self):
        r = ip("copy", "%s/team/app@%s" % (self.api.host, self.plain), "%s/mirror/app:v2" % self.dst.host, "--json",
               insecure=[self.api.host, self.dst.host])
        self.assertExit(r, 0)
        self.assertEqual(r.json()["attached_artifacts"], 1)
        self.assertEqual(self.dst.resolve("mirror/app", self.plain_sig_tag), self.plain_sig)

    def test_a_failing_referrers_api_is_an_error_not_an_absent_api(self):
        for status in (500, 401):
            self.api.fail_with(status)
            r = ip("promote", "%s/team/app@%s" % (self.api.host, self.index), "--to", "%s/fail%d/app:live" % (self.dst.host, status),
                   "--retries", "2", "--retry-delay", "1ms", insecure=[self.api.host, self.dst.host])
            out = r.stdout + r.stderr
            self.assertExit(r, 3)
            self.assertIn("referrers", out)
            self.assertIn("nothing was changed", out)
            self.assertIsNone(self.dst.resolve("fail%d/app" % status, "live"))

    def test_no_referrers_skips_both(self):
        r = ip("copy", "%s/team/app@%s" % (self.api.host, self.index), "%s/bare/app:v1" % self.dst.host, "--no-referrers",
               "--json", insecure=[self.api.host, self.dst.host])
        self.assertExit(r, 0)
        self.assertEqual(r.json()["attached_artifacts"], 0)
        self.assertIsNone(self.dst.resolve("bare/app", self.sbom))
        self.assertIsNone(self.dst.resolve("bare/app", self.sig_tag))


if __name__ == "__main__":
    unittest.main()
