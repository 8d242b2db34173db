"""The world around workflows/backend-deploy.yml, on 127.0.0.1, for the workflow tests and the drill.

Real: Debian's docker-registry over HTTPS (a test CA the tools trust through SSL_CERT_FILE, so
the workflow runs unmodified, without --insecure-registry), PostgreSQL 15 + PostGIS, the shipped
binaries, bash for every `run:` step, npm for install/lint/test, git for the changed-migrations
step. Stand-ins, named as such: the sample API (scripts/drill/sample-api.sh answers /health like
NestJS Terminus), the "platform" (scripts/drill/deploy.sh runs the image it is handed), and the
third-party steps below (`stubs()`), which the workflow runner never executes:
  actions/checkout, actions/setup-node, docker/setup-buildx-action, docker/login-action: nothing
    to do here (the workspace is the checkout; node is on the machine; no login to a local registry);
  docker/build-push-action: the image was built and pushed beforehand with umoci + skopeo (no
    Docker engine here); the stand-in checks the build-args/labels carry the version and answers
    the pushed digest;
  aquasecurity/trivy-action: writes a Trivy JSON report of the image (SchemaVersion 2, the
    image's digest in Metadata.RepoDigests): clean, or with a CRITICAL finding for a release the
    scenario marks as vulnerable;
  actions/upload-artifact / download-artifact: copy files through a local folder."""
import hashlib
import json
import os
import shutil
import subprocess
import tempfile

from postgres import Postgres
from registry import ImageBuilder, Registry
from workflow_runner import BIN, ROOT, WorkflowRunner
from yonima_test import free_port

DRILL = os.path.join(ROOT, "scripts", "drill")
BACKEND_DEPLOY = os.path.join(ROOT, "workflows", "backend-deploy.yml")
TRIVY_FIXTURE = os.path.join(ROOT, "tests", "integration", "image-promote", "fixtures", "trivy-backend.json")
PACKAGE_JSON = {"name": "api", "version": "0.0.0", "private": True,
                "scripts": {"lint": "node -e 0", "test": "node -e 0"}}
PACKAGE_LOCK = {"name": "api", "version": "0.0.0", "lockfileVersion": 3, "requires": True,
                "packages": {"": {"name": "api", "version": "0.0.0"}}}


def fake_sha(version):
    return hashlib.sha1(version.encode()).hexdigest()


class BackendWorld:
    def __init__(self, name="backend", pg_settings=None):
        self.tmp = tempfile.mkdtemp(prefix="yonima-world-")
        self.work = os.path.join(self.tmp, "platform")
        self.workspace = os.path.join(self.tmp, "workspace")
        self.artifacts = os.path.join(self.tmp, "artifacts")
        for d in (self.work, self.workspace, self.artifacts):
            os.mkdir(d)
        self.pg = self.registry = self.images = None
        try:
            self.registry = Registry(tls=True)
            self.ca = self.registry.cert
            self.pg = Postgres(settings=pg_settings)
            self.db = self.pg.create_database("app")
            self.images = ImageBuilder()
        except Exception:
            self.stop()
            raise
        self.repo = "yonima/" + name
        self.image = "%s/%s" % (self.registry.host, self.repo)
        self.api_port = free_port()
        self.health_url = "http://127.0.0.1:%d/health" % self.api_port
        self.digests, self.versions, self.vulnerable, self.baked = {}, {}, set(), {}
        self.mislabelled = set()  # releases whose scan report names another image
        self.pending = {}  # version -> its migration, committed when its run starts
        with open(os.path.join(self.work, "env"), "w") as f:
            f.write("BIN=%s\nREGISTRY=%s\nREPO=%s\nAPI_PORT=%d\nREGISTRY_TLS=1\n"
                    % (BIN, self.registry.host, self.repo, self.api_port))
        open(os.path.join(self.work, "releases"), "w").close()
        with open(os.path.join(self.workspace, "package.json"), "w") as f:
            json.dump(PACKAGE_JSON, f)
        with open(os.path.join(self.workspace, "package-lock.json"), "w") as f:
            json.dump(PACKAGE_LOCK, f)
        os.makedirs(os.path.join(self.workspace, "prisma", "migrations"))
        shutil.copy(os.path.join(DRILL, "migrations", "migration_lock.toml"),
                    os.path.join(self.workspace, "prisma", "migrations"))
        self._git("init", "-q", "-b", "main")
        self._git("add", "-A")
        self._git("commit", "-q", "-m", "the app")

    def _git(self, *args):
        env = dict(os.environ, GIT_AUTHOR_NAME="dev", GIT_AUTHOR_EMAIL="dev@example.com", GIT_COMMITTER_NAME="dev",
                   GIT_COMMITTER_EMAIL="dev@example.com")
        return subprocess.run(["git", *args], cwd=self.workspace, env=env, check=True, capture_output=True,
                              text=True).stdout

    # --- releases -------------------------------------------------------------------------
    def release(self, version, health="good", vulnerable=False, migration=None, sql=None):
        """Builds and pushes the image of `version` (what the build step will report), records
        how it behaves once deployed (good: healthy, reports `version`; broken: 503), and commits
        its migration (a folder of scripts/drill/migrations, or `sql` under the name `migration`)."""
        # Labelled as build-push-action's `labels:` does: the emergency rollback reads it back.
        self.images.umoci_image(version, "backend %s\n" % version, labels={"org.opencontainers.image.version": version})
        digest = self.images.push(version, self.registry.host, self.repo, "build-" + version)
        self.digests[version] = digest
        self.versions[digest] = version
        if vulnerable:
            self.vulnerable.add(version)
        with open(os.path.join(self.work, "releases"), "a") as f:
            f.write("%s %s %s\n" % (digest, version, health))
        self.pending[version] = (migration, sql)
        return digest

    def _commit_migration(self, version):
        """The release's commit: its migration lands in the workspace when its run starts."""
        migration, sql = self.pending.pop(version, (None, None))
        if migration:
            dest = os.path.join(self.workspace, "prisma", "migrations", migration)
            if sql is None:
                shutil.copytree(os.path.join(DRILL, "migrations", migration), dest)
            else:
                os.mkdir(dest)
                with open(os.path.join(dest, "migration.sql"), "w") as f:
                    f.write(sql)
            self._git("add", "-A")
            self._git("commit", "-q", "-m", "release " + version)

    def run(self, version, workflow=BACKEND_DEPLOY, echo=False, with_overrides=None, extra_stubs=None, **inputs):
        """Runs `workflow` as a push of `version` would (github.sha identifies the version)."""
        self._commit_migration(version)
        # The push event's `before`: the commit ahead of this release's, so only its migrations
        # count as changed.
        head = self._git("rev-parse", "HEAD~1").strip() if self._git("rev-list", "--count", "HEAD").strip() != "1" \
            else self._git("rev-parse", "HEAD").strip()
        defaults = {"image": self.image, "health-url": self.health_url,
                    "deploy-command": "bash %s %s" % (os.path.join(DRILL, "deploy.sh"), self.work)}
        if workflow == BACKEND_DEPLOY:
            defaults.update({"version": version, "health-interval": "200ms", "health-successes": 2,
                             "health-timeout": "5s", "observe": "", "extension-schema": "public"})
        defaults.update(inputs)
        secrets = {"GITHUB_TOKEN": "ghs_not-a-real-token", "DEPLOY_TOKEN": "deploy-secret-token"}
        secrets["DIRECT_URL" if workflow == BACKEND_DEPLOY else "DATABASE_URL"] = self.db
        runner = WorkflowRunner(workflow, self.workspace, inputs=defaults, secrets=secrets,
                                stubs=dict(self.stubs(), **(extra_stubs or {})),
                                github={"sha": fake_sha(version), "event": {"before": head}},
                                with_overrides=with_overrides,
                                machine_env={"SSL_CERT_FILE": self.ca}, echo=echo)
        try:
            return runner.run()
        finally:
            runner.close()

    def run_workflow(self, workflow, inputs, secrets=None, echo=False, with_overrides=None):
        """Runs any workflow in this world (emergency-rollback.yml, ...) as a workflow_call."""
        all_secrets = {"GITHUB_TOKEN": "ghs_not-a-real-token", "DEPLOY_TOKEN": "deploy-secret-token", "DIRECT_URL": self.db}
        all_secrets.update(secrets or {})
        runner = WorkflowRunner(workflow, self.workspace, inputs=inputs, secrets=all_secrets, stubs=self.stubs(),
                                machine_env={"SSL_CERT_FILE": self.ca}, echo=echo, with_overrides=with_overrides)
        try:
            return runner.run()
        finally:
            runner.close()

    # --- what happened ----------------------------------------------------------------------
    def production(self):
        return self.registry.resolve(self.repo, "production")

    def production_version(self):
        return self.versions.get(self.production())

    def served_version(self):
        path = os.path.join(self.work, "api.version")
        if not os.path.exists(path):
            return None
        with open(path) as f:
            return f.read().strip()

    def applied_migrations(self):
        rows = self.pg.rows("app", "SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL "
                                   "ORDER BY migration_name") if self._has_ledger() else []
        return [r[0] for r in rows]

    def _has_ledger(self):
        return self.pg.sql("app", "SELECT to_regclass('_prisma_migrations') IS NOT NULL") == "t"

    # --- third-party steps (stand-ins) -------------------------------------------------------
    def stubs(self):
        def nothing(ctx):
            return 0

        def build_push(ctx):
            sha = ctx.with_.get("tags", "").rsplit(":sha-", 1)[-1]
            version = next((v for v in self.digests if fake_sha(v) == sha), None)
            if version is None:
                return 1, "build-push stand-in: no release for tag %s" % ctx.with_.get("tags")
            args = ctx.with_.get("build-args", "")
            labels = ctx.with_.get("labels", "")
            self.baked[version] = {"build-args": args, "labels": labels}
            return 0, {"digest": self.digests[version]}

        def trivy(ctx):
            ref = ctx.with_["image-ref"]
            version = self.versions.get(ref.rsplit("@", 1)[-1])
            with open(TRIVY_FIXTURE) as f:
                report = json.load(f)
            if version in self.mislabelled:
                ref = "%s@sha256:%s" % (self.image, "0" * 64)
            report["ArtifactName"] = ref
            report["Metadata"]["RepoDigests"] = [ref]
            report["Metadata"].pop("RepoTags", None)
            report["Metadata"].pop("ImageID", None)
            if version not in self.vulnerable:
                for r in report["Results"]:
                    r.pop("Vulnerabilities", None)
            with open(os.path.join(ctx.workspace, ctx.with_.get("output", "trivy.json")), "w") as f:
                json.dump(report, f)
            return 0

        def upload(ctx):
            dest = os.path.join(self.artifacts, ctx.with_["name"])
            os.makedirs(dest, exist_ok=True)
            src = os.path.join(ctx.workspace, ctx.with_["path"])
            if not os.path.exists(src):
                return 1, "upload stand-in: %s not found" % src
            shutil.copy(src, dest)
            return 0

        def download(ctx):
            src = os.path.join(self.artifacts, ctx.with_["name"])
            if not os.path.isdir(src):
                return 1, "download stand-in: no artifact %s" % ctx.with_["name"]
            for n in os.listdir(src):
                shutil.copy(os.path.join(src, n), os.path.join(ctx.workspace, ctx.with_.get("path", ""), n))
            return 0

        return {"actions/checkout": nothing, "actions/setup-node": nothing, "docker/setup-buildx-action": nothing,
                "docker/setup-qemu-action": nothing,
                "docker/login-action": nothing, "docker/build-push-action": build_push, "aquasecurity/trivy-action": trivy,
                "actions/upload-artifact": upload, "actions/download-artifact": download}

    def stop(self):
        subprocess.run([os.path.join(DRILL, "sample-api.sh"), "stop", self.work], capture_output=True)
        for service in (self.images and self.images.cleanup, self.registry and self.registry.stop,
                        self.pg and self.pg.stop):
            if service:
                try:
                    service()
                except Exception:
                    pass
        shutil.rmtree(self.tmp, ignore_errors=True)
