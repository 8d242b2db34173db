#!/usr/bin/env python3
"""The deploy drill: the whole backend plan, locally, on 127.0.0.1 only.

Real parts: PostgreSQL 15 + PostGIS, Debian's docker-registry, the shipped static binaries. Stand-ins
(named as such): the sample API (answers /health like NestJS Terminus) and the "platform" that runs
whatever image the production tag points at (scripts/drill/deploy.sh).

  release 1.4.1: lint + migrate (PostGIS) -> promote by digest -> deploy -> health-gate passes
  release 1.5.0: lint + migrate (additive) -> promote -> deploy -> broken (database credentials)
                 -> health-gate fails -> --on-failure: image-promote rollback + redeploy
  then: health-gate confirms 1.4.1 serves again; the history and the schema state are shown.
Exit 0 when every step behaved as planned."""
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "support"))
from postgres import Postgres  # noqa: E402
from registry import ImageBuilder, Registry  # noqa: E402
from yonima_test import free_port  # noqa: E402

BIN = os.environ.get("YONIMA_BIN", os.path.join(ROOT, "build", "bin"))
DRILL = os.path.join(ROOT, "scripts", "drill")


def step(text):
    print("\n\033[1m== %s\033[0m" % text, file=sys.stderr, flush=True)


def run(*args, expect=0, env=None, capture=False):
    print("$ " + " ".join(args), file=sys.stderr, flush=True)
    p = subprocess.run(args, env=dict(os.environ, **(env or {})), text=True,
                       stdout=subprocess.PIPE if capture else None)
    if p.returncode != expect:
        sys.exit("drill FAILED: `%s` exited %d, expected %d" % (" ".join(args[:3]), p.returncode, expect))
    return p.stdout


def main():
    work = tempfile.mkdtemp(prefix="yonima-drill-")
    pg = registry = images = None
    try:
        step("0. start the real services: PostgreSQL 15 + PostGIS, a registry (127.0.0.1)")
        pg = Postgres()
        pg.create_database("app")
        registry = Registry()
        images = ImageBuilder()
        host = registry.host
        migrations = os.path.join(work, "migrations")
        os.mkdir(migrations)
        shutil.copy(os.path.join(DRILL, "migrations", "migration_lock.toml"), migrations)
        api_port = free_port()
        with open(os.path.join(work, "env"), "w") as f:
            f.write("BIN=%s\nREGISTRY=%s\nAPI_PORT=%d\n" % (BIN, host, api_port))
        db = {"DATABASE_URL": pg.url("app")}
        releases = []
        for version, health in (("1.4.1", "good"), ("1.5.0", "broken")):
            images.umoci_image(version, "backend %s\n" % version)
            digest = images.push(version, host, "yonima/backend", "sha-" + version)
            releases.append("%s %s %s\n" % (digest, version, health))
        with open(os.path.join(work, "releases"), "w") as f:
            f.writelines(releases)
        digest = {r.split()[1]: r.split()[0] for r in releases}
        ip = [os.path.join(BIN, "image-promote")]
        mg = [os.path.join(BIN, "migrate-guard")]
        hg = [os.path.join(BIN, "health-gate")]
        url = "http://127.0.0.1:%d/health" % api_port

        step("1. release 1.4.1: lint and apply its migration (PostGIS in schema public)")
        shutil.copytree(os.path.join(DRILL, "migrations", "20261101000000_init"), os.path.join(migrations, "20261101000000_init"))
        run(*mg, "lint", "--dir", migrations)
        run(*mg, "deploy", "--dir", migrations, "--require-extension", "postgis", env=db)

        step("2. promote 1.4.1 to production by digest, deploy, health-gate")
        run(*ip, "promote", "%s/yonima/backend@%s" % (host, digest["1.4.1"]), "--to", "production", "--insecure-registry", host)
        run(os.path.join(DRILL, "deploy.sh"), work)
        run(*hg, "--url", url, "--expect-version", "1.4.1", "--interval", "200ms", "--timeout", "10s")

        step("3. release 1.5.0: lint and apply its additive migration (a restore point is recorded first)")
        shutil.copytree(os.path.join(DRILL, "migrations", "20261120000000_place_rating"),
                        os.path.join(migrations, "20261120000000_place_rating"))
        run(*mg, "lint", "--dir", migrations)
        run(*mg, "deploy", "--dir", migrations, "--require-extension", "postgis", env=db)

        step("4. promote 1.5.0 and deploy it: its database password is wrong")
        run(*ip, "promote", "%s/yonima/backend@%s" % (host, digest["1.5.0"]), "--to", "production", "--insecure-registry", host)
        run(os.path.join(DRILL, "deploy.sh"), work)

        step("5. health-gate catches it and rolls back (image-promote rollback + redeploy)")
        run(*hg, "--url", url, "--expect-version", "1.5.0", "--expect-json", "/status=ok", "--successes", "2",
            "--interval", "300ms", "--timeout", "3s", "--on-failure", "%s %s" % (os.path.join(DRILL, "rollback.sh"), work),
            expect=1)

        step("6. 1.4.1 serves again; the registry remembers what happened")
        run(*hg, "--url", url, "--expect-version", "1.4.1", "--interval", "200ms", "--timeout", "10s")
        current = run(*ip, "digest", "%s/yonima/backend:production" % host, "--insecure-registry", host, "--quiet",
                      capture=True).strip()
        if current != digest["1.4.1"]:
            sys.exit("drill FAILED: production points at %s, expected 1.4.1's %s" % (current, digest["1.4.1"]))
        run(*ip, "history", "%s/yonima/backend" % host, "--tag", "production", "--insecure-registry", host)
        step("7. the schema stays at 1.5.0's (additive, so 1.4.1 runs on it): migrate-guard status")
        run(*mg, "status", "--dir", migrations, env=db)
        print("\ndrill passed: 1.5.0 was caught by health-gate and rolled back to 1.4.1 (%s) in one command\n" % current,
              file=sys.stderr)
    finally:
        subprocess.run([os.path.join(DRILL, "sample-api.sh"), "stop", work])
        for service in (images and images.cleanup, registry and registry.stop, pg and pg.stop):
            if service:
                try:
                    service()
                except Exception as e:  # keep cleaning up the rest
                    print("cleanup: %s" % e, file=sys.stderr)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
