"""ota-publish plan: what the mobile pipeline does for a git ref, as outputs workflow conditions use;
the mapping is configurable with --rule (or the `rule` input, one per line)."""
import unittest

from ota_fixture import OtaTest


class PlanTest(OtaTest):
    def plan(self, *args, **kw):
        r = self.run_ota("plan", *args, **kw)
        self.assertExit(r, 0)
        return r.outputs

    def test_default_mapping(self):
        o = self.plan("--ref", "refs/heads/dev")
        self.assertEqual((o["action"], o["build"], o["update"], o["submit"], o["profile"]), ("build", "true", "false", "false", "development"))
        o = self.plan("--ref", "refs/heads/staging")
        self.assertEqual((o["action"], o["update"], o["channel"], o["build"]), ("update", "true", "preview", "false"))
        o = self.plan("--ref", "refs/tags/v1.5.0")
        self.assertEqual((o["action"], o["build"], o["submit"], o["profile"], o["version"], o["ref-kind"]),
                         ("release", "true", "true", "production", "1.5.0", "tag"))
        for ref in ("refs/heads/main", "refs/tags/v1.5", "refs/tags/vfoo.bar.baz", "refs/tags/v1.5.0-rc.1", "refs/pull/12/merge",
                    "refs/heads/staging-old"):
            with self.subTest(ref=ref):
                o = self.plan("--ref", ref)
                self.assertEqual((o["action"], o["build"], o["update"], o["submit"]), ("none", "false", "false", "false"))

    def test_ref_from_github_ref_and_bare_names(self):
        self.assertEqual(self.plan(env={"GITHUB_REF": "refs/heads/staging"})["channel"], "preview")
        self.assertEqual(self.plan("--ref", "v2.0.1")["version"], "2.0.1")
        self.assertEqual(self.plan("--ref", "dev")["profile"], "development")

    def test_configurable_rules(self):
        rules = "branch:main=update:production\nbranch:release/*=build:preview\ntag:v#.#.#=release:store\nbranch:dev=none"
        o = self.plan("--ref", "refs/heads/main", env={"INPUT_RULE": rules})
        self.assertEqual((o["action"], o["channel"]), ("update", "production"))
        o = self.plan("--ref", "refs/heads/release/1.6", env={"INPUT_RULE": rules})
        self.assertEqual((o["action"], o["profile"]), ("build", "preview"))
        o = self.plan("--ref", "refs/heads/dev", env={"INPUT_RULE": rules})
        self.assertEqual((o["action"], o["rule"]), ("none", "branch:dev=none"))
        o = self.plan("--ref", "refs/heads/staging", "--rule", "branch:staging=update:beta")
        self.assertEqual(o["channel"], "beta")

    def test_bad_rules_and_missing_ref(self):
        for rule, text in (("staging=update:preview", "KIND:PATTERN"), ("branch:x=deploy:y", "build, update, release or none"),
                           ("branch:x=update", "needs a target"), ("pr:x=none", "branch or tag")):
            with self.subTest(rule=rule):
                r = self.run_ota("plan", "--ref", "x", "--rule", rule)
                self.assertExit(r, 2)
                self.assertIn(text, self.said(r))
        r = self.run_ota("plan")
        self.assertExit(r, 2)
        self.assertIn("missing --ref", self.said(r))


if __name__ == "__main__":
    unittest.main()
