"""digest, inspect and copy against real docker-registry instances on 127.0.0.1."""
import json
import unittest

from ip_fixture import ImageBuilder, Registry, ToolTest, ip, put_manifest


class CopyTest(ToolTest):
    @classmethod
    def setUpClass(cls):
        cls.a = Registry()
        cls.addClassCleanup(cls.a.stop)
        cls.b = Registry()
        cls.addClassCleanup(cls.b.stop)
        cls.images = ImageBuilder()
        cls.addClassCleanup(cls.images.cleanup)
        img = cls.images
        cls.single = img.push(img.umoci_image("single", "hello from umoci"), cls.a.host, "team/app", "single")
        cls.index = img.push(img.multi("multi", "multi"), cls.a.host, "team/app", "multi")
        cls.dlist = img.push(img.multi("dlist", "docker-list"), cls.a.host, "team/app", "dlist", docker_format=True)
        sig_tag = "sha256-%s.sig" % cls.index.split(":")[1]
        img.signature_for("sig", cls.index)
        cls.sig = img.push("sig", cls.a.host, "team/app", sig_tag)
        cls.sig_tag = sig_tag


    def test_digest_resolves_tags_and_matches_the_registry(self):
        r = ip("digest", "%s/team/app:multi" % self.a.host, insecure=[self.a.host])
        self.assertExit(r, 0)
        self.assertEqual(r.stdout.strip(), self.index)
        self.assertEqual(r.outputs["digest"], self.index)

    def test_inspect_reports_the_version_the_image_carries(self):
        img = self.images
        img.push(img.umoci_image("labelled", "v1.4.2", labels={"org.opencontainers.image.version": "1.4.2"}),
                 self.a.host, "team/app", "labelled")
        r = ip("inspect", "%s/team/app:labelled" % self.a.host, "--json", insecure=[self.a.host])
        self.assertExit(r, 0)
        self.assertEqual(r.outputs["image-version"], "1.4.2")
        self.assertEqual(r.json()["version"], "1.4.2")
        # No label: empty, not an error.
        r = ip("inspect", "%s/team/app:single" % self.a.host, insecure=[self.a.host])
        self.assertExit(r, 0)
        self.assertEqual(r.outputs["image-version"], "")

    def test_inspect_reports_platforms_layers_and_media_types(self):
        r = ip("inspect", "%s/team/app:dlist" % self.a.host, "--json", insecure=[self.a.host])
        self.assertExit(r, 0)
        j = r.json()
        self.assertEqual(j["media_type"], "application/vnd.docker.distribution.manifest.list.v2+json")
        self.assertEqual(j["platforms"], ["linux/amd64", "linux/arm64"])
        self.assertEqual(len(j["manifests"]), 2)
        self.assertEqual(j["manifests"][0]["media_type"], "application/vnd.docker.distribution.manifest.v2+json")
        self.assertGreater(j["manifests"][0]["layers"][0]["size"], 0)
        r = ip("inspect", "%s/team/app:single" % self.a.host, "--json", insecure=[self.a.host])
        self.assertExit(r, 0)
        self.assertEqual(r.json()["media_type"], "application/vnd.oci.image.manifest.v1+json")
        self.assertEqual(r.json()["platforms"], ["linux/amd64"])

    def test_cross_registry_copy_preserves_every_digest(self):
        for tag, digest in (("multi", self.index), ("dlist", self.dlist), ("single", self.single)):
            r = ip("copy", "%s/team/app@%s" % (self.a.host, digest), "%s/mirror/app:%s" % (self.b.host, tag),
                   insecure=[self.a.host, self.b.host])
            self.assertExit(r, 0)
            self.assertEqual(r.outputs["digest"], digest)
            self.assertEqual(self.b.resolve("mirror/app", tag), digest)
            self.assertGreater(int(r.outputs["bytes-uploaded"]), 0)
            self.assertEqual(r.outputs["blobs-mounted"], "0")
        # The children of the index are there by digest too, and the signature travelled (tag scheme).
        self.assertEqual(self.b.resolve("mirror/app", self.sig_tag), self.sig)
        # Copying again uploads nothing.
        r = ip("copy", "%s/team/app@%s" % (self.a.host, self.index), "%s/mirror/app:multi" % self.b.host,
               insecure=[self.a.host, self.b.host])
        self.assertExit(r, 0)
        self.assertEqual(r.outputs["bytes-uploaded"], "0")

    def test_nested_index_is_copied_whole_against_real_registries(self):
        # An index may name another index (OCI image-index: "manifests" of any type); the inner
        # index and its children must exist at the destination before the outer one is written,
        # or the registry refuses it (distribution checks every reference).
        single_mt = "application/vnd.oci.image.manifest.v1+json"
        index_mt = "application/vnd.oci.image.index.v1+json"
        size = lambda d: len(self.a._request("GET", "/v2/team/app/manifests/" + d,  # noqa: E731
                                             {"Accept": index_mt + "," + single_mt}).read())
        outer = {"schemaVersion": 2, "mediaType": index_mt, "manifests": [
            {"mediaType": index_mt, "digest": self.index, "size": size(self.index)},
            {"mediaType": single_mt, "digest": self.single, "size": size(self.single),
             "platform": {"os": "linux", "architecture": "riscv64"}}]}
        nested = put_manifest(self.a.host, "team/app", outer, tag="nested")
        self.assertEqual(self.a.resolve("team/app", "nested"), nested)
        for dest in ("%s/nested/app:v1" % self.b.host, "%s/nested-same/app:v1" % self.a.host):
            r = ip("copy", "%s/team/app:nested" % self.a.host, dest, "--no-referrers", insecure=[self.a.host, self.b.host])
            self.assertExit(r, 0)
            self.assertEqual(r.outputs["digest"], nested)
            reg = self.b if dest.startswith(self.b.host) else self.a
            repo = dest.split("/", 1)[1].rsplit(":", 1)[0]
            self.assertEqual(reg.resolve(repo, "v1"), nested)
            # Every level is there by digest: the inner index, its children, the single image.
            for d in (self.index, self.single):
                self.assertEqual(reg.resolve(repo, d), d)
            inner = json.loads(self.a._request("GET", "/v2/team/app/manifests/" + self.index, {"Accept": index_mt}).read())
            for child in inner["manifests"]:
                self.assertEqual(reg.resolve(repo, child["digest"]), child["digest"])

    def test_connections_are_reused_across_steps_threads_and_blobs(self):
        # issue 9, item 11: one connection (one TLS handshake) per registry and request in flight,
        # not one per step, worker thread or streamed blob. 4 layers of 1.5 MiB stream registry to
        # registry 2 at a time: at most 2 connections to each registry for the whole run.
        img = self.images
        big = img.push(img.layout_with_layers("conn", [1536 * 1024] * 4), self.a.host, "team/conn", "v1")
        r = ip("copy", "%s/team/conn@%s" % (self.a.host, big), "%s/conn/app:v1" % self.b.host, "--jobs", "2", "--json",
               insecure=[self.a.host, self.b.host])
        self.assertExit(r, 0)
        j = r.json()
        self.assertEqual(j["blobs_streamed"], 4, j)
        self.assertLessEqual(j["connections"], 4, j)
        # A promotion inside one repository is sequential: one connection for every request.
        r = ip("promote", "%s/team/app@%s" % (self.a.host, self.index), "--to", "conn-test", "--json",
               insecure=[self.a.host])
        self.assertExit(r, 0)
        self.assertEqual(r.json()["connections"], 1, r.json())

    def test_same_registry_copy_mounts_instead_of_uploading(self):
        before = len(self.a.access_log())
        r = ip("copy", "%s/team/app@%s" % (self.a.host, self.index), "%s/other/app:v1" % self.a.host, "--no-referrers",
               insecure=[self.a.host])
        self.assertExit(r, 0)
        self.assertEqual(r.outputs["bytes-uploaded"], "0")
        self.assertEqual(r.outputs["blobs-mounted"], "4")  # 2 configs + 2 layers
        log = self.a.access_log()[before:]
        self.assertTrue(any(m == "POST" and "mount=" in p and s == 201 for m, p, s in log), log)
        self.assertFalse(any(m == "PATCH" or (m == "PUT" and "/blobs/uploads/" in p) for m, p, s in log), log)
        self.assertEqual(self.a.resolve("other/app", "v1"), self.index)

    def test_platform_filter_copies_a_new_index(self):
        r = ip("copy", "%s/team/app@%s" % (self.a.host, self.index), "%s/amd/app:v1" % self.b.host,
               "--platform", "linux/amd64", insecure=[self.a.host, self.b.host])
        self.assertExit(r, 0)
        self.assertNotEqual(r.outputs["digest"], self.index)
        self.assertEqual(r.outputs["platforms"], "linux/amd64")
        self.assertIn("digest", r.stderr)

    def test_platform_filter_variant_is_optional_as_in_docker(self):
        variants = self.images.push(self.images.multi("variants", "v", archs=("amd64", "arm64/v8", "arm/v7", "arm/v6")),
                                    self.a.host, "team/app", "variants")
        for wanted, kept in (("linux/arm64", "linux/arm64/v8"), ("linux/arm", "linux/arm/v7"),
                             ("linux/arm/v6", "linux/arm/v6"), ("linux/aarch64/v8", "linux/arm64/v8")):
            r = ip("copy", "%s/team/app@%s" % (self.a.host, variants), "%s/variant/app:%s" % (self.b.host, wanted.replace("/", "-")),
                   "--platform", wanted, "--no-referrers", insecure=[self.a.host, self.b.host])
            self.assertExit(r, 0)
            self.assertEqual(r.outputs["platforms"], kept, wanted)
        r = ip("copy", "%s/team/app@%s" % (self.a.host, variants), "%s/variant/app:none" % self.b.host,
               "--platform", "linux/arm64/v9", insecure=[self.a.host, self.b.host])
        self.assertExit(r, 2)
        self.assertIn("linux/arm64/v8", r.stdout + r.stderr)  # the message lists what there is

    def test_dry_run_changes_nothing(self):
        r = ip("copy", "%s/team/app@%s" % (self.a.host, self.index), "%s/dry/app:v1" % self.b.host, "--dry-run",
               insecure=[self.a.host, self.b.host])
        self.assertExit(r, 0)
        self.assertEqual(self.b.tags("dry/app"), [])

    def test_missing_image_and_bad_reference(self):
        r = ip("digest", "%s/team/app:nope" % self.a.host, insecure=[self.a.host])
        self.assertExit(r, 2)
        self.assertIn("does not exist", r.stderr)
        r = ip("digest", "%s/Team/App:x" % self.a.host, insecure=[self.a.host])
        self.assertExit(r, 2)
        self.assertIn("not a valid image reference", r.stderr)

    def test_loopback_is_not_insecure_unless_asked(self):
        r = ip("digest", "%s/team/app:multi" % self.a.host, "--retries", "1")
        self.assertExit(r, 3)
        self.assertIn("--insecure-registry", r.stderr)


if __name__ == "__main__":
    unittest.main()
