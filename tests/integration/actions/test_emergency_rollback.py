"""workflows/emergency-rollback.yml run through the workflow runner: target api moves the tag back,
redeploys by digest and health-gates; target database shows the pitr-restore plan and restores only
when `confirm` names the project (against the Supabase Management API STAND-IN of the pitr-restore
tests: the real API cannot be reached from here); a wrong confirmation changes nothing and says why."""
import datetime
import json
import os
import shutil
import subprocess
import tempfile
import time
import unittest
import urllib.request

from backend_scenario import BackendWorld, DRILL
from workflow_runner import BIN, WorkflowRunner

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
EMERGENCY = os.path.join(ROOT, "workflows", "emergency-rollback.yml")


class EmergencyRollbackTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.w = BackendWorld()
        try:
            cls.w.release("1.0.0", migration="20261101000000_init")
            cls.w.release("1.1.0")
            for v in ("1.0.0", "1.1.0"):
                r = cls.w.run(v)
                assert r["deploy"].result == "success", r.log()
        except Exception:
            cls.w.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.w.stop()

    def emergency(self, with_overrides=None, **inputs):
        base = {"image": self.w.image, "health-url": self.w.health_url, "reason": "test",
                "deploy-command": "bash %s %s" % (os.path.join(DRILL, "deploy.sh"), self.w.work)}
        base.update(inputs)
        return self.w.run_workflow(EMERGENCY, base, with_overrides=with_overrides)

    def digest_of(self, version):
        [digest] = [d for d, v in self.w.versions.items() if v == version]
        return digest

    def test_0_missing_settings_change_nothing(self):
        # Without a deploy command the tag would move and nothing would run the old release.
        r = self.emergency(target="api", confirm="ROLLBACK", **{"deploy-command": ""})
        self.assertEqual(r["api"].result, "failure")
        self.assertIn("needs deploy-command", r["api"].steps[0].log)
        self.assertFalse(r["api"].ran("rollback"))
        self.assertEqual(self.w.production_version(), "1.1.0")

    def test_1_wrong_confirmation_changes_nothing(self):
        r = self.emergency(target="api", confirm="rollback please")
        self.assertEqual(r["refuse"].result, "failure")
        self.assertIn("confirm must be ROLLBACK", r["refuse"].steps[0].log)
        self.assertEqual(r["api"].result, "skipped")
        self.assertEqual(self.w.production_version(), "1.1.0")
        r = self.emergency(target="API ", confirm="ROLLBACK")
        self.assertEqual(r["refuse"].result, "failure")
        self.assertIn("target must be api, app or database", r["refuse"].steps[0].log)
        self.assertEqual(r["api"].result, "skipped")

    def test_2_api_rollback(self):
        # As recommended: name the bad release, so that only it is rolled back.
        r = self.emergency(target="api", confirm="ROLLBACK", **{"expect-current": self.digest_of("1.1.0")})
        api = r["api"]
        self.assertEqual(api.result, "success", r.log())
        self.assertEqual(r["refuse"].result, "skipped")
        self.assertEqual(self.w.production_version(), "1.0.0")
        self.assertEqual(self.w.served_version(), "1.0.0")
        self.assertEqual(api.step("health").outputs["healthy"], "true")
        # The gate waited for the version of the image rolled back to, read from its label.
        self.assertEqual(api.step("inspect").outputs["image-version"], "1.0.0")
        self.assertEqual(api.step("health").outputs["served-version"], "1.0.0")
        self.assertIn("### emergency rollback: api", api.summary)
        self.assertIn("Requested by yonima-bot: test", api.summary)
        for job in ("app", "database-plan", "database-restore"):
            self.assertEqual(r[job].result, "skipped", job)

    def test_0_without_naming_the_release_nothing_moves_and_the_current_digest_is_named(self):
        # A plain rollback undoes the tag's last change, whatever it was (after an automatic rollback
        # D3 -> D2 it would move production forward to D3), and every re-run would go one release
        # further. Without expect-current or to nothing moves; the error gives the digest to paste.
        r = self.emergency(target="api", confirm="ROLLBACK")
        api = r["api"]
        self.assertEqual(api.result, "failure", r.log())
        self.assertFalse(api.ran("rollback"))
        self.assertEqual(api.step("current").outcome, "success")
        log = "\n".join(s.log for s in api.steps)
        self.assertIn("run again with expect-current: %s" % self.digest_of("1.1.0"), log)
        self.assertEqual(self.w.production_version(), "1.1.0")
        self.assertEqual(self.w.served_version(), "1.1.0")

    def test_0_a_blank_or_malformed_release_name_is_no_name(self):
        # The tools read " " as unset: a blank expect-current must not slip past the guard into a
        # plain rollback.
        r = self.emergency(target="api", confirm="ROLLBACK", **{"expect-current": "  "})
        self.assertEqual(r["api"].result, "failure", r.log())
        self.assertFalse(r["api"].ran("rollback"))
        self.assertEqual(r["api"].step("current").outcome, "success")
        r = self.emergency(target="api", confirm="ROLLBACK", to="1.0.0")
        self.assertEqual(r["api"].result, "failure")
        self.assertIn("to must be a digest", r["api"].step("check").log)
        self.assertFalse(r["api"].ran("rollback"))
        self.assertEqual(self.w.production_version(), "1.1.0")

    def test_4_a_redeploy_that_changed_nothing_fails_the_health_gate(self):
        # The tag moves back to 1.1.0 (an exact digest) but the deploy command does not switch the
        # platform: /health still says 1.0.0 and ok. Without the version check the gate would call
        # that rollback verified.
        fast = {"Health gate": {"timeout": "3s", "interval": "200ms"}}
        r = self.emergency(target="api", confirm="ROLLBACK", with_overrides=fast,
                           **{"deploy-command": "true", "to": self.digest_of("1.1.0")})
        api = r["api"]
        self.assertEqual(api.step("inspect").outputs["image-version"], "1.1.0")
        self.assertEqual(api.step("health").outcome, "failure")
        self.assertEqual(api.result, "failure")
        self.assertEqual(self.w.served_version(), "1.0.0")

    def test_5_a_half_done_rollback_says_so_and_to_the_same_digest_finishes_it(self):
        # The tag holds 1.1.0 (test_4) while 1.0.0 serves. The tag moves back but the redeploy fails:
        # the Report says the rollback is half-done and how to finish it.
        r = self.emergency(target="api", confirm="ROLLBACK",
                           **{"deploy-command": "false", "expect-current": self.digest_of("1.1.0")})
        api = r["api"]
        self.assertEqual(api.step("rollback").outcome, "success", r.log())
        self.assertEqual(api.step("redeploy").outcome, "failure")
        self.assertEqual(self.w.production_version(), "1.0.0")
        report = api.step("Report")
        self.assertIn("| redeploy `%s` | failure |" % self.digest_of("1.0.0"), api.summary)
        self.assertIn("rollback half-done", report.log)
        self.assertIn("with to: %s" % self.digest_of("1.0.0"), report.log)
        # What the message says: `to` the digest the tag already holds moves nothing, then
        # redeploys and health-gates.
        r = self.emergency(target="api", confirm="ROLLBACK", to=self.digest_of("1.0.0"))
        api = r["api"]
        self.assertEqual(api.result, "success", r.log())
        self.assertEqual(api.step("rollback").outputs["previous-digest"], self.digest_of("1.0.0"))
        self.assertEqual(self.w.production_version(), "1.0.0")
        self.assertEqual(api.step("health").outputs["served-version"], "1.0.0")
        self.assertNotIn("status-only", api.step("Report").log)

    def test_6_a_gate_without_the_version_says_it_checked_status_only(self):
        # The version of the image rolled back to cannot be read (inspect fails; here: a registry
        # address nothing listens on): the redeploy still runs, and the Report says the gate could
        # not tell the releases apart.
        r = self.emergency(target="api", confirm="ROLLBACK", to=self.digest_of("1.0.0"),
                           with_overrides={"inspect": {"image": "127.0.0.1:9/none@" + self.digest_of("1.0.0")}})
        api = r["api"]
        self.assertEqual(api.step("inspect").outcome, "failure", r.log())
        self.assertEqual(api.step("redeploy").outcome, "success")
        self.assertEqual(api.step("health").outcome, "success")
        self.assertIn("status-only health gate", api.step("Report").log)
        self.assertIn("could not be read (inspect: failure)", api.step("Report").log)

    def test_3_a_rerun_does_not_go_one_release_further(self):
        # "Re-run jobs" after test_2 (or a deploy that moved the tag meanwhile): the tag no longer
        # holds the bad release, so the rollback refuses and production stays on 1.0.0.
        r = self.emergency(target="api", confirm="ROLLBACK", **{"expect-current": self.digest_of("1.1.0")})
        self.assertEqual(r["api"].result, "failure")
        self.assertEqual(r["api"].step("rollback").outcome, "failure")
        self.assertFalse(r["api"].ran("redeploy"))
        self.assertEqual(self.w.production_version(), "1.0.0")
        self.assertEqual(self.w.served_version(), "1.0.0")


SUPABASE_STANDIN = os.path.join(ROOT, "tests", "integration", "pitr-restore", "supabase_standin.py")
TOKEN = "sbp_0123456789abcdef0123456789abcdef01234567"
REF = "abcdefghijklmnopqrst"


class EmergencyDatabaseTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.proc = subprocess.Popen(["python3", SUPABASE_STANDIN], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                    text=True)
        cls.api = "http://127.0.0.1:%d" % int(cls.proc.stdout.readline().split()[1])

    @classmethod
    def tearDownClass(cls):
        cls.proc.terminate()
        cls.proc.wait(timeout=10)

    def setUp(self):
        now = int(time.time())
        cfg = {"token": TOKEN, "projects": {REF: {"earliest": now - 7 * 86400, "latest": now - 60, "restore_seconds": 1}}}
        urllib.request.urlopen(urllib.request.Request(self.api + "/__config", method="PUT", data=json.dumps(cfg).encode()),
                               timeout=5).read()
        self.tmp = tempfile.mkdtemp(prefix="yonima-emergency-")
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def posts(self):
        log = json.loads(urllib.request.urlopen(self.api + "/__log", timeout=5).read())
        return [e for e in log if e["method"] == "POST"]

    def emergency(self, confirm, github=None, **extra):
        # The stand-in's address replaces api.supabase.com (the only change to the workflow's values).
        endpoint = {"api-url": self.api, "poll-interval": "1s"}
        runner = WorkflowRunner(EMERGENCY, self.tmp, inputs=dict({
            "target": "database", "reason": "orders table emptied by 20261128120000_cleanup", "to": "15m ago",
            "confirm": confirm, "project-ref": REF}, **extra), secrets={"SUPABASE_ACCESS_TOKEN": TOKEN},
            with_overrides={"What a restore would do (changes nothing)": endpoint, "Restore": endpoint},
            github=github)
        try:
            return runner.run()
        finally:
            runner.close()

    def test_plan_only_without_confirmation(self):
        r = self.emergency("")
        self.assertEqual(r["database-plan"].result, "success", r.log())
        self.assertEqual(r["database-restore"].result, "skipped")
        self.assertEqual(r["refuse"].result, "skipped")
        self.assertIn("target-time", r["database-plan"].steps[0].outputs)
        self.assertEqual(self.posts(), [])

    def test_a_self_managed_provider_is_refused_with_where_to_restore_instead(self):
        r = self.emergency(REF, **{"pitr-provider": "postgres"})
        self.assertEqual(r["refuse"].result, "failure")
        self.assertIn("restored on its own host with pitr-restore", r["refuse"].steps[0].log)
        self.assertEqual(r["database-plan"].result, "skipped")
        self.assertEqual(r["database-restore"].result, "skipped")
        self.assertEqual(self.posts(), [])

    def test_wrong_project_restores_nothing(self):
        r = self.emergency("zyxwvutsrqponmlkjihg")
        self.assertEqual(r["refuse"].result, "failure")
        self.assertIn("confirm must name the project", r["refuse"].steps[0].log)
        self.assertEqual(r["database-restore"].result, "skipped")
        self.assertEqual(self.posts(), [])

    def test_confirmed_restore(self):
        # The plan run (confirm empty) shows the instant "15m ago" means now.
        r = self.emergency("")
        planned = r["database-plan"].steps[0].outputs["target-time"]
        # Confirmed with the relative time: resolved again it would be later than what was reviewed.
        # Nothing is restored; the error gives the instant to confirm.
        time.sleep(1.1)
        r = self.emergency(REF)
        self.assertEqual(r["database-restore"].result, "failure", r.log())
        self.assertFalse(r["database-restore"].ran("restore"))
        check = r["database-restore"].steps[0].log
        self.assertIn("needs the exact instant the plan showed", check)
        replanned = r["database-plan"].steps[0].outputs["target-time"]
        self.assertNotEqual(replanned, planned)
        self.assertIn("to: %s" % replanned, check)
        self.assertEqual(self.posts(), [])
        # Confirmed with the instant the plan showed: one restore, to that instant.
        r = self.emergency(REF, to=planned)
        self.assertEqual(r["database-restore"].result, "success", r.log())
        posts = self.posts()
        self.assertEqual(len(posts), 1)
        self.assertTrue(posts[0]["path"].endswith("/database/backups/restore-pitr"))
        restore = r["database-restore"].step("restore")
        self.assertIn(planned, restore.log)
        # The repository still holds what the restore removed: the next deploy would apply it again.
        self.assertIn("the next backend-deploy applies again", r["database-restore"].step("What the next deploy would do").log)
        asked = json.loads(posts[0]["body"])["recovery_time_target_unix"]
        self.assertEqual(asked, int(datetime.datetime.fromisoformat(planned.replace("Z", "+00:00")).timestamp()))
        for job in ("database-plan", "database-restore"):
            for step in r[job].steps:
                self.assertNotIn(TOKEN, "\n".join(l for l in step.log.split("\n") if not l.startswith("::add-mask::")))

    def test_the_workflow_takes_the_instants_pitr_restore_takes(self):
        # The check before a confirmed restore refused "+01" offsets the tool reads and let
        # "18:00Z" (no seconds) through to the tool's own refusal: two messages that contradict.
        import re
        import yaml
        with open(os.path.join(ROOT, "workflows", "emergency-rollback.yml")) as f:
            script = yaml.safe_load(f)["jobs"]["database-restore"]["steps"][0]["run"]
        pattern = re.search(r"grep -Eq '(\^\[0-9\]\{4\}[^']*)'", script).group(1)
        samples = ["2026-11-29T18:00:00Z", "2026-11-29t18:00:00z", "2026-11-29 18:00:00Z", "2026-11-29T18:00:00.25Z",
                   "2026-11-29T18:00:00+01", "2026-11-29T18:00:00+0100", "2026-11-29T18:00:00-01:30", "2026-11-29T18:00Z",
                   "2026-11-29T18:00:00", "2026-11-29", "15m ago", "2026-11-29T18:00:00 Z"]
        env = dict(os.environ, SUPABASE_ACCESS_TOKEN=TOKEN)  # the stand-in answers the plans (they change nothing)
        for sample in samples:
            with self.subTest(sample=sample):
                workflow = subprocess.run(["grep", "-Eq", pattern], input=sample, text=True).returncode == 0
                tool = subprocess.run([os.path.join(BIN, "pitr-restore"), "plan", "--provider", "supabase", "--project-ref", REF,
                                       "--api-url", self.api, "--to", sample],
                                      capture_output=True, text=True, env=env, timeout=60)
                reads = "is not a time" not in tool.stderr
                # "15m ago" is read by the tool but is no instant: the workflow refuses it on purpose.
                self.assertEqual(workflow, reads and sample != "15m ago", (workflow, tool.stderr))

    def test_a_rerun_of_a_confirmed_restore_restores_nothing(self):
        # "Re-run all jobs" keeps the inputs, confirmation included: a second restore would lose
        # everything written since the first, with nobody confirming it again.
        planned = self.emergency("")["database-plan"].steps[0].outputs["target-time"]
        r = self.emergency(REF, github={"run_attempt": "2"}, to=planned)
        self.assertEqual(r["database-restore"].result, "failure", r.log())
        self.assertIn("never started by a re-run", r["database-restore"].steps[0].log)
        self.assertFalse(r["database-restore"].ran("restore"))
        self.assertEqual(self.posts(), [])


if __name__ == "__main__":
    unittest.main()
