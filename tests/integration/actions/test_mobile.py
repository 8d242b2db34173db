"""workflows/mobile.yml and mobile-hotfix.yml run through the workflow runner with the shipped
ota-publish and an eas-cli STAND-IN (EAS cannot be reached from here): `update` commands go to the
ota-publish tests' stand-in (tests/integration/ota-publish/eas_standin.py, which keeps channels and
update groups), `build` and `submit` are recorded and answered as accepted. check-config and plan
always run first; the plan's outputs decide which job runs for a ref."""
import json
import os
import shutil
import stat
import subprocess
import tempfile
import unittest

import yaml

from workflow_runner import WorkflowRunner

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
MOBILE = os.path.join(ROOT, "workflows", "mobile.yml")
HOTFIX = os.path.join(ROOT, "workflows", "mobile-hotfix.yml")
EMERGENCY = os.path.join(ROOT, "workflows", "emergency-rollback.yml")
OTA = os.path.join(ROOT, "tests", "integration", "ota-publish")
BIN = os.environ.get("YONIMA_BIN", os.path.join(ROOT, "build", "bin"))
TOKEN = "expo-robot-token-not-real-1234567890"

FAKE_EAS = """#!/usr/bin/env bash
# eas-cli STAND-IN: records every call; build/submit are accepted, the rest goes to eas_standin.py.
printf '%s\\n' "$*" >> "$EAS_CALLS"
case "$1" in
  build|submit) echo "accepted by the stand-in"; exit 0 ;;
  *) exec python3 "$EAS_STANDIN" "$@" ;;
esac
"""


class MobileTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="yonima-mobile-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.ws = os.path.join(self.tmp, "ws")
        os.makedirs(self.ws)
        for name in ("eas.json", "app.json"):
            shutil.copy(os.path.join(OTA, "fixtures", "eas-json", "good", name), self.ws)
        with open(os.path.join(self.ws, "package.json"), "w") as f:
            json.dump({"name": "app", "version": "1.0.0", "private": True}, f)
        with open(os.path.join(self.ws, "package-lock.json"), "w") as f:
            json.dump({"name": "app", "version": "1.0.0", "lockfileVersion": 3, "requires": True,
                       "packages": {"": {"name": "app", "version": "1.0.0"}}}, f)
        self.eas = os.path.join(self.tmp, "eas")
        with open(self.eas, "w") as f:
            f.write(FAKE_EAS)
        os.chmod(self.eas, os.stat(self.eas).st_mode | stat.S_IEXEC)
        self.state = os.path.join(self.tmp, "state.json")
        with open(self.state, "w") as f:
            json.dump({"runtime_version": "1.0.0", "faults": {},
                       "channels": {c: {"id": "c-" + c, "branches": [c], "rollout": None} for c in ("preview", "production")},
                       "branches": {c: {"id": "b-" + c, "groups": []} for c in ("preview", "production")}}, f)
        self.calls = os.path.join(self.tmp, "calls.txt")
        self.env = {"EAS_CALLS": self.calls, "EAS_STANDIN": os.path.join(OTA, "eas_standin.py"),
                    "OTA_STANDIN_STATE": self.state, "OTA_STANDIN_LOG": os.path.join(self.tmp, "standin.jsonl")}

    def run_wf(self, workflow, ref="refs/heads/main", **inputs):
        inputs.setdefault("eas", self.eas)
        if workflow != MOBILE:
            inputs.pop("eas")
        # Third-party steps: the workspace is the checkout and Node is on the machine.
        nothing = {"actions/checkout": lambda ctx: 0, "actions/setup-node": lambda ctx: 0}
        runner = WorkflowRunner(workflow, self.ws, inputs=inputs, secrets={"EXPO_TOKEN": TOKEN}, stubs=nothing,
                                github={"ref": ref, "ref_name": ref.rsplit("/", 1)[-1]}, machine_env=self.env)
        try:
            return runner.run()
        finally:
            runner.close()

    def eas_calls(self):
        if not os.path.exists(self.calls):
            return []
        with open(self.calls) as f:
            return [line.split() for line in f.read().splitlines()]

    def groups(self, branch):
        with open(self.state) as f:
            return json.load(f)["branches"][branch]["groups"]

    def test_dev_builds_the_development_profile(self):
        r = self.run_wf(MOBILE, "refs/heads/dev")
        self.assertEqual(r["plan"].result, "success", r.log())
        self.assertEqual(r["plan"].outputs["action"], "build")
        self.assertEqual(r["build"].result, "success", r.log())
        self.assertEqual(r["update"].result, "skipped")
        self.assertEqual(self.eas_calls(), [["build", "--profile", "development", "--platform", "all",
                                             "--non-interactive", "--no-wait"]])

    def test_staging_publishes_an_update_on_preview(self):
        r = self.run_wf(MOBILE, "refs/heads/staging")
        self.assertEqual(r["plan"].outputs["action"], "update")
        self.assertEqual(r["update"].result, "success", r.log())
        self.assertEqual(r["build"].result, "skipped")
        self.assertEqual(len(self.groups("preview")), 1)
        self.assertEqual(self.groups("production"), [])
        self.assertEqual(r["update"].step("publish").outputs["channel"], "preview")

    def test_a_version_tag_builds_and_submits_production(self):
        r = self.run_wf(MOBILE, "refs/tags/v1.5.0")
        self.assertEqual(r["plan"].outputs["action"], "release")
        self.assertEqual(r["build"].result, "success", r.log())
        # The build it made goes to the stores (--auto-submit), not "the latest build" of the project.
        [call] = self.eas_calls()
        self.assertEqual(call[:3], ["build", "--profile", "production"])
        self.assertIn("--wait", call)
        self.assertIn("--auto-submit", call)
        self.assertEqual(r["sentry"].result, "skipped")  # no sentry-org given

    def test_other_refs_do_nothing(self):
        r = self.run_wf(MOBILE, "refs/heads/feature/login")
        self.assertEqual(r["plan"].outputs["action"], "none")
        for job in ("build", "update", "sentry"):
            self.assertEqual(r[job].result, "skipped", job)
        self.assertEqual(self.eas_calls(), [])

    def test_check_config_comes_first_and_stops_everything(self):
        shutil.copy(os.path.join(OTA, "fixtures", "eas-json", "shared-channel", "eas.json"), self.ws)
        r = self.run_wf(MOBILE, "refs/heads/staging")
        self.assertEqual(r["plan"].result, "failure")
        self.assertEqual(r["plan"].steps[1].outcome, "failure")   # check-config
        self.assertEqual(r["plan"].step("plan").outcome, "skipped")
        self.assertEqual(r["update"].result, "skipped")
        self.assertEqual(self.groups("preview"), [])

    def test_hotfix_publishes_to_production_only_when_confirmed(self):
        r = self.run_wf(HOTFIX, message="fix the map crash", confirm="yes")
        self.assertEqual(r["refuse"].result, "failure")
        self.assertEqual(r["publish"].result, "skipped")
        self.assertEqual(self.groups("production"), [])
        # The composite action installs eas-cli (test above); the workflow runner runs the binary
        # directly, so here the stand-in is on PATH as `eas`.
        self.env["PATH"] = self.tmp + os.pathsep + os.environ.get("PATH", "")
        r = self.run_wf(HOTFIX, message="fix the map crash", confirm="production")
        self.assertEqual(r["publish"].result, "success", r.log())
        self.assertEqual(r["refuse"].result, "skipped")
        [g] = self.groups("production")
        self.assertEqual(g["message"], "fix the map crash")
        for step in r["publish"].steps:
            self.assertNotIn(TOKEN, "\n".join(l for l in step.log.split("\n") if not l.startswith("::add-mask::")))

    def test_the_composite_action_finds_eas_cli_with_the_default_input(self):
        """actions/ota-publish/run.sh as GitHub runs it: every input set, `eas` at its default ("eas"),
        no eas on PATH (a stock runner): it must use the eas-cli it installs into RUNNER_TEMP (here
        already there, as after a first step of the job; npm cannot be reached from the tests)."""
        runner_temp = os.path.join(self.tmp, "runner-temp")
        bin_dir = os.path.join(runner_temp, "yonima-ota-publish", "eas-cli", "node_modules", ".bin")
        os.makedirs(bin_dir)
        shutil.copy(self.eas, os.path.join(bin_dir, "eas"))
        path = os.pathsep.join(d for d in os.environ.get("PATH", "").split(os.pathsep)
                               if not os.path.exists(os.path.join(d, "eas")))
        env = dict(self.env, PATH=path, HOME=self.tmp, RUNNER_TEMP=runner_temp, EXPO_TOKEN=TOKEN,
                   OTA_PUBLISH_BIN=os.path.join(BIN, "ota-publish"), GITHUB_ACTIONS="true", CI="true")
        with open(os.path.join(ROOT, "actions", "ota-publish", "action.yml")) as f:
            declared = yaml.safe_load(f)["inputs"]
        for name, spec in declared.items():
            env["INPUT_" + name.upper()] = str(spec.get("default", ""))
        env.update({"INPUT_COMMAND": "publish", "INPUT_CHANNEL": "production", "INPUT_MESSAGE": "1.4.4 from the action"})
        self.assertEqual(env["INPUT_EAS"], "eas")
        r = subprocess.run([os.path.join(ROOT, "actions", "ota-publish", "run.sh")], cwd=self.ws, env=env,
                           capture_output=True, text=True, timeout=300)
        self.assertEqual(r.returncode, 0, r.stderr)
        [g] = self.groups("production")
        self.assertEqual(g["message"], "1.4.4 from the action")

    def test_emergency_rollback_of_the_app(self):
        self.env["PATH"] = self.tmp + os.pathsep + os.environ.get("PATH", "")
        for message in ("1.4.2 good", "1.4.3 broken"):
            self.assertEqual(self.run_wf(HOTFIX, message=message, confirm="production")["publish"].result, "success")
        good, bad = self.groups("production")[1], self.groups("production")[0]
        # A blank name is no name (the tool would read it as unset).
        r = self.run_wf(EMERGENCY, target="app", reason="crash on start", confirm="ROLLBACK", **{"app-dir": ".", "expect-current": " "})
        self.assertEqual(r["app"].result, "failure", r.log())
        self.assertFalse(r["app"].ran("rollback"))
        # Without naming the update to leave: a dry run, nothing published, the group to paste.
        r = self.run_wf(EMERGENCY, target="app", reason="crash on start", confirm="ROLLBACK", **{"app-dir": "."})
        self.assertEqual(r["app"].result, "failure", r.log())
        self.assertFalse(r["app"].ran("rollback"))
        self.assertIn("run again with expect-current: %s" % bad["group"], "\n".join(s.log for s in r["app"].steps))
        self.assertEqual(self.groups("production")[0]["group"], bad["group"])
        r = self.run_wf(EMERGENCY, target="app", reason="crash on start", confirm="ROLLBACK",
                        **{"app-dir": ".", "expect-current": bad["group"]})
        self.assertEqual(r["app"].result, "success", r.log())
        self.assertEqual(r["api"].result, "skipped")
        newest = self.groups("production")[0]
        self.assertEqual(newest["copy_of"], good["group"])
        self.assertNotEqual(newest["group"], bad["group"])
        self.assertIn("Requested by yonima-bot: crash on start", r["app"].summary)
        self.assertIn("new group " + newest["group"], r["app"].summary)
        # The same run again (a re-run, a double press): refused, nothing published.
        r = self.run_wf(EMERGENCY, target="app", reason="crash on start", confirm="ROLLBACK",
                        **{"app-dir": ".", "expect-current": bad["group"]})
        self.assertEqual(r["app"].result, "failure")
        self.assertEqual(self.groups("production")[0]["group"], newest["group"])
        # Back to the update embedded in the build, for a runtime version named.
        r = self.run_wf(EMERGENCY, target="app", reason="every OTA update crashes", confirm="ROLLBACK",
                        **{"app-dir": ".", "to-embedded": "true", "runtime-version": newest["runtimeVersion"]})
        self.assertEqual(r["app"].result, "success", r.log())
        self.assertTrue(self.groups("production")[0]["isRollBackToEmbedded"])


if __name__ == "__main__":
    unittest.main()
