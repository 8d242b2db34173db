"""Authentication against real registries: htpasswd basic auth, token auth (bearer flow with a
token server the test runs), docker config.json, credential helpers; wrong credentials."""
import base64
import json
import os
import stat
import tempfile
import unittest

from yonima_test import without_masks

from ip_fixture import ImageBuilder, Registry, ToolTest, ip

PASSWORD = "s3cret-Pa55"


class AuthTest(ToolTest):
    @classmethod
    def setUpClass(cls):
        cls.basic = Registry(auth="htpasswd", users={"ci": PASSWORD})
        cls.addClassCleanup(cls.basic.stop)
        cls.token = Registry(auth="token", users={"ci": PASSWORD})
        cls.addClassCleanup(cls.token.stop)
        img = cls.images = ImageBuilder()
        cls.addClassCleanup(cls.images.cleanup)
        img.multi("m", "auth")
        cls.digest = img.push("m", cls.basic.host, "team/app", "v1", creds=("ci", PASSWORD))
        img.push("m", cls.token.host, "team/app", "v1", creds=("ci", PASSWORD))
        cls.tmp = tempfile.mkdtemp(prefix="ip-auth-")


    def assertNoSecret(self, r, secret=PASSWORD):
        # ::add-mask:: is how a secret is handed to the runner to mask; nothing else may show it.
        for text in (without_masks(r.stdout), without_masks(r.stderr), json.dumps(r.outputs), r.summary):
            self.assertNotIn(secret, text)

    def test_a_password_flag_is_refused_and_never_shown(self):
        # argv is readable by every process on the machine (ps, /proc): only stdin, the environment
        # or the action's input may carry it.
        r = ip("digest", "%s/team/app:v1" % self.basic.host, "--username", "ci", "--password", PASSWORD,
               insecure=[self.basic.host])
        self.assertExit(r, 2)
        self.assertIn("--password on the command line", r.stderr)
        self.assertNotIn(PASSWORD, without_masks(r.stdout) + without_masks(r.stderr))
        # A bad --jobs is a usage error for every command, before any request.
        r = ip("digest", "%s/team/app:v1" % self.basic.host, "--jobs", "0", insecure=[self.basic.host])
        self.assertExit(r, 2)
        self.assertIn("--jobs", r.stderr)

    def test_basic_auth_with_password_stdin(self):
        r = ip("digest", "%s/team/app:v1" % self.basic.host, "--username", "ci", "--password-stdin",
               insecure=[self.basic.host], input=PASSWORD + "\n")
        self.assertExit(r, 0)
        self.assertEqual(r.outputs["digest"], self.digest)
        self.assertNoSecret(r)

    def test_anonymous_and_wrong_credentials_fail_clearly(self):
        r = ip("digest", "%s/team/app:v1" % self.basic.host, insecure=[self.basic.host], env={"HOME": self.tmp})
        self.assertExit(r, 3)
        self.assertIn("no credentials", r.stdout + r.stderr)
        r = ip("digest", "%s/team/app:v1" % self.basic.host, insecure=[self.basic.host],
               env={"REGISTRY_USERNAME": "ci", "REGISTRY_PASSWORD": "wrong-one"})
        self.assertExit(r, 3)
        self.assertIn("refused the credentials", r.stdout + r.stderr)
        self.assertNoSecret(r, "wrong-one")
        r = ip("digest", "%s/team/app:v1" % self.token.host, insecure=[self.token.host],
               env={"REGISTRY_USERNAME": "ci", "REGISTRY_PASSWORD": "wrong-one"})
        self.assertExit(r, 3)
        self.assertIn("refused the credentials", r.stdout + r.stderr)

    def test_token_auth_promote_with_mounts_reuses_one_token(self):
        before = self.token.token_server.stats()["token_requests"]
        r = ip("promote", "%s/team/app@%s" % (self.token.host, self.digest), "--to",
               "%s/prod/app:live" % self.token.host, "--no-referrers", insecure=[self.token.host],
               env={"REGISTRY_USERNAME": "ci", "REGISTRY_PASSWORD": PASSWORD})
        self.assertExit(r, 0)
        self.assertEqual(r.outputs["blobs-mounted"], "4")
        self.assertEqual(r.outputs["bytes-uploaded"], "0")
        stats = self.token.token_server.stats()
        # One token for pull on the source and pull+push on the destination, reused by every request.
        self.assertEqual(stats["token_requests"] - before, 1, stats)
        scopes = stats["scopes"][-1]
        self.assertIn("repository:prod/app:pull,push", scopes)
        self.assertIn("repository:team/app:pull", scopes)
        self.assertNoSecret(r)

    def test_anonymous_token_pull_is_denied_by_the_registry(self):
        # The token server grants anonymous pull; the registry then serves it.
        r = ip("digest", "%s/team/app:v1" % self.token.host, insecure=[self.token.host], env={"HOME": self.tmp})
        self.assertExit(r, 0)
        self.assertEqual(r.outputs["digest"], self.digest)

    def test_explicit_credentials_go_to_one_registry_only(self):
        src = "%s/team/app:v1" % self.basic.host
        dst = "%s/team/scoped:v1" % self.token.host
        hosts = [self.basic.host, self.token.host]
        empty_config = tempfile.mkdtemp(prefix="ip-noconf-", dir=self.tmp)
        # Two registries and one --username: which one is it for? Refused before any request.
        r = ip("copy", src, dst, "--username", "ci", "--password-stdin", insecure=hosts, input=PASSWORD + "\n",
               env={"DOCKER_CONFIG": empty_config})
        self.assertExit(r, 2)
        self.assertIn("--credentials-for", r.stderr)
        self.assertIn(self.token.host, r.stderr)
        # Scoped to the source: the destination's token service gets no password (anonymous push,
        # refused), which proves the credentials did not travel there.
        r = ip("copy", src, dst, "--username", "ci", "--password-stdin", "--credentials-for", self.basic.host,
               insecure=hosts, input=PASSWORD + "\n", env={"DOCKER_CONFIG": empty_config})
        self.assertExit(r, 3)
        self.assertIn(self.token.host, r.outputs["error"])
        self.assertNoSecret(r)
        # The destination's own credentials from the docker config: the copy goes through.
        conf = tempfile.mkdtemp(prefix="ip-conf-", dir=self.tmp)
        with open(os.path.join(conf, "config.json"), "w") as f:
            json.dump({"auths": {self.token.host: {"auth": base64.b64encode(("ci:" + PASSWORD).encode()).decode()}}}, f)
        r = ip("copy", src, dst, "--username", "ci", "--password-stdin", "--credentials-for", self.basic.host,
               insecure=hosts, input=PASSWORD + "\n", env={"DOCKER_CONFIG": conf})
        self.assertExit(r, 0)
        self.assertEqual(r.outputs["digest"], self.digest)

    def test_docker_config_auths(self):
        cfg = tempfile.mkdtemp(prefix="ip-dockercfg-")
        with open(os.path.join(cfg, "config.json"), "w") as f:
            json.dump({"auths": {self.basic.host: {"auth": base64.b64encode(("ci:" + PASSWORD).encode()).decode()}}}, f)
        r = ip("digest", "%s/team/app:v1" % self.basic.host, insecure=[self.basic.host], env={"DOCKER_CONFIG": cfg})
        self.assertExit(r, 0)
        self.assertNoSecret(r)

    def test_docker_config_identity_token(self):
        cfg = tempfile.mkdtemp(prefix="ip-identity-")
        with open(os.path.join(cfg, "config.json"), "w") as f:
            json.dump({"auths": {self.token.host: {"auth": "", "identitytoken": "rt-ci"}}}, f)
        r = ip("promote", "%s/team/app@%s" % (self.token.host, self.digest), "--to", "via-identity-token",
               insecure=[self.token.host], env={"DOCKER_CONFIG": cfg})
        self.assertExit(r, 0)
        self.assertGreaterEqual(self.token.token_server.stats().get("refresh_grants", 0), 1)
        self.assertNoSecret(r, "rt-ci")

    def test_credential_helper(self):
        cfg = tempfile.mkdtemp(prefix="ip-credhelper-")
        helper = os.path.join(cfg, "docker-credential-yonimatest")
        log = os.path.join(cfg, "asked")
        with open(helper, "w") as f:
            f.write("#!/bin/sh\n[ \"$1\" = get ] || exit 1\ncat > %s\n"
                    "printf '{\"ServerURL\":\"x\",\"Username\":\"ci\",\"Secret\":\"%s\"}'\n" % (log, PASSWORD))
        os.chmod(helper, stat.S_IRWXU)
        with open(os.path.join(cfg, "config.json"), "w") as f:
            json.dump({"credHelpers": {self.token.host: "yonimatest"}}, f)
        r = ip("promote", "%s/team/app@%s" % (self.token.host, self.digest), "--to", "helper-tag",
               insecure=[self.token.host], env={"DOCKER_CONFIG": cfg, "PATH": cfg + ":" + os.environ["PATH"]})
        self.assertExit(r, 0)
        with open(log) as f:
            self.assertEqual(f.read().strip(), self.token.host)  # the server on stdin, not in argv
        self.assertNoSecret(r)


if __name__ == "__main__":
    unittest.main()
