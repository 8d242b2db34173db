#!/usr/bin/env python3
"""The deploy drill: the whole plan, locally, on 127.0.0.1 only, with nothing to configure.

The backend part runs THROUGH THE WORKFLOW LOGIC: workflows/backend-deploy.yml itself, executed by
tests/support/workflow_runner.py (its `if:` conditions, job order, `run:` steps with bash, our
actions with the shipped binaries), not a copy of its steps.
Real parts: Debian's docker-registry (HTTPS, a test certificate the tools trust), PostgreSQL 15 +
PostGIS, the shipped static binaries, git, npm. Stand-ins (named as such): the sample API (answers
/health like NestJS Terminus), the "platform" that runs the image it is handed
(scripts/drill/deploy.sh), the third-party steps of the workflow (tests/support/backend_scenario.py:
the image "build" was pushed beforehand with umoci + skopeo, the Trivy report is written for the
image), and, for the mobile part, eas-cli (tests/integration/ota-publish/eas_standin.py).

  v1 1.4.1  gate, migrate (PostGIS), promote, deploy, health gate (expects 1.4.1): live
  v2 1.5.0  broken (its database password is wrong: /health 503): the workflow rolls its own
            promotion back, redeploys 1.4.1 and health-gates it again
  v3 1.6.0  its image has a CRITICAL finding: refused by the scan gate; nothing migrates, production
            stays on 1.4.1
  database  a corrupting migration (an UPDATE without WHERE), then pitr-restore plan (timed) and
            restore --before-migration from a base backup + the WAL archive: every row compared
  mobile    ota-publish publish 1.4.2 to production, then a broken 1.4.3, rollback (verified)
A timeline with each step's duration, the three rollbacks timed, and a verdict. Exit 0 when every
step behaved as planned."""
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "support"))
from backend_scenario import BackendWorld  # noqa: E402
from postgres import PG_BIN  # noqa: E402
from workflow_runner import BIN  # noqa: E402

DRILL = os.path.join(ROOT, "scripts", "drill")
OTA_STANDIN = os.path.join(ROOT, "tests", "integration", "ota-publish", "eas_standin.py")
OTA_FIXTURES = os.path.join(ROOT, "tests", "integration", "ota-publish", "fixtures", "eas-json", "good")
GOALS = {"api": 120.0, "app": 120.0, "database plan": 60.0, "database restore": None}


class Drill:
    def __init__(self):
        self.timeline = []   # (part, step, seconds, ok, detail)
        self.rollbacks = {}  # name -> seconds
        self.failures = []

    def say(self, text):
        print("\n\033[1m== %s\033[0m" % text, file=sys.stderr, flush=True)

    def record(self, part, step, seconds, ok, detail=""):
        self.timeline.append((part, step, seconds, ok, detail))
        mark = "ok " if ok else "FAIL"
        print("  [%s] %-58s %7.1fs  %s" % (mark, step[:58], seconds, detail), file=sys.stderr, flush=True)
        if not ok:
            self.failures.append("%s: %s %s" % (part, step, detail))

    def expect(self, part, what, ok, detail=""):
        self.record(part, what, 0.0, ok, detail)

    # --- backend, through backend-deploy.yml -------------------------------------------------
    def run_release(self, world, version):
        start = time.monotonic()
        r = world.run(version, **{"health-timeout": "10s", "health-interval": "300ms"})
        seconds = time.monotonic() - start
        for job, step, outcome, secs in r.timeline:
            if outcome != "skipped":
                self.timeline.append(("  " + version, "%s / %s" % (job, step), secs, True, outcome))
        return r, seconds

    def backend(self, world):
        world.release("1.4.1", migration="20261101000000_init")
        world.release("1.5.0", health="broken", migration="20261120000000_place_rating")
        world.release("1.6.0", vulnerable=True)

        self.say("v1 1.4.1: backend-deploy.yml (gate, migrate with PostGIS, promote, deploy, health gate)")
        r, s = self.run_release(world, "1.4.1")
        self.record("backend", "v1 1.4.1 released through the workflow", s,
                    r["deploy"].result == "success" and world.production_version() == "1.4.1"
                    and world.served_version() == "1.4.1", "production %s" % world.production_version())

        self.say("v2 1.5.0: broken (database password wrong); the workflow must roll back its own promotion")
        r, s = self.run_release(world, "1.5.0")
        d = r["deploy"]
        health = d.step("health")
        ok = (d.step("promote").outcome == "success" and health.outcome == "failure"
              and d.step("rollback").outcome == "success" and d.step("redeploy").outcome == "success"
              and d.step("health-previous").outcome == "success"
              and world.production_version() == "1.4.1" and world.served_version() == "1.4.1")
        self.record("backend", "v2 1.5.0 caught and rolled back to 1.4.1", s, ok,
                    (health.outputs.get("reason") or "")[:90])
        # API rollback: from the start of the failing health gate to 1.4.1 confirmed healthy again.
        steps = [t for t in r.timeline if t[0] == "deploy"]
        names = [t[1] for t in steps]
        first = names.index("Health gate (new release)")
        last = names.index("Health gate (previous release, after the rollback)")
        self.rollbacks["api"] = sum(t[3] for t in steps[first:last + 1])
        self.expect("backend", "summary reports both health gates",
                    "health gate, previous release 1.4.1 | success" in d.summary)

        self.say("v3 1.6.0: a CRITICAL finding; the scan gate refuses it before anything touches production")
        applied_before = world.applied_migrations()
        r, s = self.run_release(world, "1.6.0")
        ok = (r["scan"].result == "failure" and r["migrate"].result == "skipped" and r["deploy"].result == "skipped"
              and world.production_version() == "1.4.1" and world.served_version() == "1.4.1"
              and world.applied_migrations() == applied_before)
        self.record("backend", "v3 1.6.0 refused by the gate; production stays 1.4.1", s, ok,
                    "production %s" % world.production_version())
        hist = subprocess.run([os.path.join(BIN, "image-promote"), "history", world.image, "--tag", "production"],
                              env=dict(os.environ, SSL_CERT_FILE=world.ca), capture_output=True, text=True)
        print(hist.stdout + hist.stderr, file=sys.stderr)

    # --- database ------------------------------------------------------------------------------
    def database(self, world, archive):
        pitr = os.path.join(BIN, "pitr-restore")
        if not os.path.exists(pitr):
            self.failures.append("pitr-restore is not built: the database part cannot run")
            return
        pg = world.pg
        self.say("database: data written, a base backup, more writes; then a corrupting migration")
        pg.sql("app", "INSERT INTO \"Place\" (name, location, rating) SELECT 'Thiès ' || g, "
                      "ST_SetSRID(ST_MakePoint(-16.9 + g / 1000.0, 14.8), 4326), g % 5 FROM generate_series(1, 200) g")
        t = time.monotonic()
        base = os.path.join(os.path.dirname(archive), "base")
        argv = [os.path.join(PG_BIN, "pg_basebackup"), "-D", base, "-Fp", "-X", "stream", "-c", "fast",
                "-h", pg.socket_dir, "-p", str(pg.port), "-U", "postgres"]
        r = subprocess.run((["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []) + argv,
                           capture_output=True, text=True, env=dict(os.environ, **pg.env()), timeout=300)
        self.record("database", "base backup (pg_basebackup)", time.monotonic() - t, r.returncode == 0, r.stderr[-200:])
        if r.returncode != 0:
            return
        pg.sql("app", "INSERT INTO \"Place\" (name, location, rating) SELECT 'Dakar ' || g, "
                      "ST_SetSRID(ST_MakePoint(-17.4 + g / 1000.0, 14.7), 4326), g % 5 FROM generate_series(1, 300) g")
        snapshot = pg.rows("app", 'SELECT id, name, rating FROM "Place" ORDER BY id')
        time.sleep(0.2)
        name = "20261128120000_normalise_names"
        folder = os.path.join(world.workspace, "prisma", "migrations", name)
        os.makedirs(folder)
        with open(folder + "/migration.sql", "w") as f:  # the bug: no WHERE clause
            f.write("-- meant for one row\nUPDATE \"Place\" SET \"name\" = 'Dakar';\n")
        t = time.monotonic()
        r = subprocess.run([os.path.join(BIN, "migrate-guard"), "deploy", "--dir",
                            os.path.join(world.workspace, "prisma", "migrations"), "--skip-lint"],
                           env=dict(os.environ, DATABASE_URL=world.db), capture_output=True, text=True)
        corrupted = pg.sql("app", "SELECT count(DISTINCT name) FROM \"Place\"") == "1"
        self.record("database", "corrupting migration applied (every name is now 'Dakar')", time.monotonic() - t,
                    r.returncode == 0 and corrupted, r.stderr.strip().split("\n")[-1][:80])
        pg.sql("postgres", "SELECT pg_switch_wal()")
        common = ["--provider", "postgres", "--base-backup", base, "--wal-archive", archive, "--pgdata", pg.data,
                  "--before-migration", name, "--database-url", world.db]
        self.say("database: pitr-restore plan (what will be lost; changes nothing), then restore")
        t = time.monotonic()
        r = subprocess.run([pitr, "plan", *common, "--json"], capture_output=True, text=True)
        seconds = time.monotonic() - t
        try:
            plan = json.loads(r.stdout).get("plan") or {}
        except ValueError:
            plan = {}
        self.record("database", "pitr-restore plan --before-migration %s" % name, seconds,
                    r.returncode == 0 and plan.get("migrations_lost") == [name],
                    "target %s" % (plan.get("target") or {}).get("time"))
        self.rollbacks["database plan"] = seconds
        t = time.monotonic()
        r = subprocess.run([pitr, "restore", *common, "--stop", "--confirm", pg.data,
                            "--verify-sql", "SELECT count(*) FROM \"Place\" HAVING count(DISTINCT name) > 1"],
                           capture_output=True, text=True, timeout=600)
        seconds = time.monotonic() - t
        print(r.stderr[-1500:], file=sys.stderr)
        back = r.returncode == 0 and pg.rows("app", 'SELECT id, name, rating FROM "Place" ORDER BY id') == snapshot
        self.record("database", "pitr-restore restore: every row as it was before the migration", seconds, back,
                    "%d rows compared" % len(snapshot))
        self.rollbacks["database restore"] = seconds

    # --- mobile -------------------------------------------------------------------------------
    def mobile(self, tmp):
        if not os.path.exists(os.path.join(BIN, "ota-publish")):
            self.failures.append("ota-publish is not built: the mobile part cannot run")
            return
        self.say("mobile: ota-publish publish then rollback on channel production (eas stand-in)")
        project = os.path.join(tmp, "app")
        os.makedirs(project)
        for name in ("eas.json", "app.json"):
            shutil.copy(os.path.join(OTA_FIXTURES, name), project)
        bindir = os.path.join(tmp, "bin")
        os.makedirs(bindir)
        eas = os.path.join(bindir, "eas")
        shutil.copy(OTA_STANDIN, eas)
        os.chmod(eas, os.stat(eas).st_mode | stat.S_IEXEC)
        state = os.path.join(tmp, "eas-state.json")
        with open(state, "w") as f:
            json.dump({"runtime_version": "1.0.0", "faults": {},
                       "channels": {"production": {"id": "c-prod", "branches": ["production"], "rollout": None}},
                       "branches": {"production": {"id": "b-prod", "groups": []}}}, f)
        env = dict(os.environ, OTA_STANDIN_STATE=state, OTA_STANDIN_LOG=os.path.join(tmp, "eas-calls.jsonl"),
                   PATH=bindir + os.pathsep + os.environ.get("PATH", ""), EXPO_TOKEN="drill-expo-token")
        ota = os.path.join(BIN, "ota-publish")

        def run(*args):
            start = time.monotonic()
            p = subprocess.run([ota, *args, "--project-dir", project, "--json"], env=env, capture_output=True, text=True)
            try:
                out = json.loads(p.stdout)
            except ValueError:
                out = {"message": (p.stdout + p.stderr)[-300:]}
            return p.returncode, out, time.monotonic() - start

        code, out, s = run("publish", "--channel", "production", "--message", "1.4.2 good")
        self.record("mobile", "publish 1.4.2 to production", s, code == 0, out.get("message", "")[:80])
        good = (out.get("outputs") or {}).get("group-id")
        code, out, s = run("publish", "--channel", "production", "--message", "1.4.3 broken")
        self.record("mobile", "publish 1.4.3 (broken) to production", s, code == 0, out.get("message", "")[:80])
        bad = (out.get("outputs") or {}).get("group-id")
        code, out, s = run("rollback", "--channel", "production", "--expect-current", bad or "")
        outputs = out.get("outputs") or {}
        self.record("mobile", "rollback: production serves 1.4.2 again (verified)", s,
                    code == 0 and outputs.get("target-group") == good and outputs.get("rolled-back") == "true",
                    out.get("message", "")[:80])
        self.rollbacks["app"] = s

    # --- report --------------------------------------------------------------------------------
    def report(self, total):
        print("\n\033[1m== timeline\033[0m", file=sys.stderr)
        for part, step, seconds, ok, detail in self.timeline:
            print("  %-9s %-66s %7.2fs %s" % (part, step[:66], seconds, detail if not ok or detail else ""),
                  file=sys.stderr)
        print("\n\033[1m== rollbacks\033[0m", file=sys.stderr)
        for name, seconds in self.rollbacks.items():
            goal = GOALS.get(name)
            verdict = "no goal" if not goal else ("goal %ds: within" % goal if seconds <= goal else "goal %ds: OVER" % goal)
            print("  %-16s %6.1fs (%s)" % (name, seconds, verdict), file=sys.stderr)
            if goal and seconds > goal:
                self.failures.append("%s rollback took %.1fs (goal %ds)" % (name, seconds, goal))
        if self.failures:
            print("\ndrill FAILED in %.0fs:\n  %s\n" % (total, "\n  ".join(self.failures)), file=sys.stderr)
            return 1
        print("\ndrill passed in %.0fs: 1.5.0 was rolled back by the workflow itself, 1.6.0 never left the gate, "
              "production runs 1.4.1; the database is back as it was before the bad migration; the app's channel "
              "serves 1.4.2 again\n" % total, file=sys.stderr)
        return 0


def main():
    drill = Drill()
    start = time.monotonic()
    tmp = tempfile.mkdtemp(prefix="yonima-drill-")
    world = None
    try:
        drill.say("start the real services: a registry (HTTPS), PostgreSQL 15 + PostGIS (127.0.0.1)")
        t = time.monotonic()
        # WAL archiving on, as a production database would have it, for the database part.
        archive = os.path.join(tmp, "wal-archive")
        os.makedirs(archive)
        os.chmod(tmp, 0o755)
        if os.geteuid() == 0:  # the server (and pg_basebackup) run as postgres
            shutil.chown(tmp, "postgres", "postgres")
            shutil.chown(archive, "postgres", "postgres")
        world = BackendWorld(pg_settings={
            "wal_level": "replica", "archive_mode": "on", "full_page_writes": "on", "max_wal_senders": "4",
            "archive_command": "'test ! -f %s/%%f && cp %%p %s/%%f'" % (archive, archive)})
        drill.record("setup", "registry, PostgreSQL + PostGIS, workspace", time.monotonic() - t, True)
        drill.backend(world)
        drill.database(world, archive)
        drill.mobile(tmp)
    except Exception as e:  # a drill that cannot run says so and fails
        drill.failures.append("drill error: %r" % e)
    finally:
        if world:
            world.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    sys.exit(drill.report(time.monotonic() - start))


if __name__ == "__main__":
    main()
