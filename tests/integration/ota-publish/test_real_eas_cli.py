"""The real eas-cli 24.8.0 end to end: ota-publish publish and rollback run it (EXPO_LOCAL=1 points it at
http://127.0.0.1:3000) against the EAS GraphQL STAND-IN (graphql_standin.py, backed by the same
state file as the eas stand-in). Asserts on the GraphQL requests eas made, on the channel state, and,
under strace, that no process connected anywhere but 127.0.0.1 and that EXPO_TOKEN was on no
command line. eas-cli's update check (a detached `node get-version` to registry.npmjs.org when its
cache is stale) is kept quiet by a fresh cache file, as the strace check requires.
publish runs on an exported bundle (--input-dir: eas update --skip-bundler), since bundling needs
the project's real `expo` package; the project carries a STAND-IN expo-updates package.json (eas
only reads its version: 0.20.0 makes it resolve the runtime version from app.json's policy itself).
Not covered here: `rollback --to-embedded` (eas-cli then wants the real `expo` package); it is
covered against the eas stand-in and by the parser compatibility test."""
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import unittest

from ota_fixture import EAS_CLI_ROOT, FIXTURES, HERE, OtaTest, PROJECT_ID, TOKEN, group, install_eas_cli, skip_or_fail, state_with
from yonima_test import BIN

EAS = os.path.join(os.path.dirname(EAS_CLI_ROOT), ".bin", "eas")


def port_3000_free():
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", 3000))
            return True
        except OSError:
            return False


class RealEasCliTest(OtaTest):
    def setUp(self):
        super().setUp()
        reason = install_eas_cli()
        if reason:
            skip_or_fail(self, reason)
        if not shutil.which("strace"):
            skip_or_fail(self, "strace is not installed: cannot check where the real eas-cli connects")
        deadline = time.monotonic() + 30
        while not port_3000_free():  # EXPO_LOCAL has no port setting; wait for another test to finish with it
            if time.monotonic() > deadline:
                skip_or_fail(self, "127.0.0.1:3000 stays busy: EXPO_LOCAL=1 only talks to that port")
            time.sleep(0.5)
        self.make_project()
        self.home = os.path.join(self.tmp, "home")
        cache = os.path.join(self.home, ".cache", "eas-cli")
        os.makedirs(cache)
        with open(os.path.join(cache, "version"), "w") as f:
            json.dump({"latest": "24.8.0"}, f)
        self.gql_log = os.path.join(self.tmp, "graphql.jsonl")
        self.old, self.good, self.bad = group("1.4.0"), group("1.4.1"), group("1.5.0 (broken)")
        self.set_state(state_with(self.bad, self.good, self.old))
        self.server = subprocess.Popen(["python3", os.path.join(HERE, "graphql_standin.py"), self.state_file, self.gql_log],
                                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                       env=dict(os.environ, OTA_GRAPHQL_EXPECT_TOKEN=TOKEN))
        self.addCleanup(self.stop_server)
        line = self.server.stdout.readline()
        self.assertTrue(line.startswith("PORT 3000"), line + self.server.stderr.read() if not line else line)

    def make_project(self):
        """An Expo project as eas-cli needs it offline: package.json, app.json with owner and
        sdkVersion (no `expo` package to ask), a stand-in expo-updates version, and an export."""
        with open(os.path.join(self.project, "package.json"), "w") as f:
            json.dump({"name": "yonima", "version": "1.5.0", "private": True, "dependencies": {"expo-updates": "0.20.0"}}, f)
        updates = os.path.join(self.project, "node_modules", "expo-updates")
        os.makedirs(updates)
        with open(os.path.join(updates, "package.json"), "w") as f:
            json.dump({"name": "expo-updates", "version": "0.20.0", "description": "stand-in: eas-cli reads the version only"}, f)
        with open(os.path.join(self.project, "app.json")) as f:
            app = json.load(f)
        app["expo"].update({"owner": "yonima", "sdkVersion": "52.0.0"})
        with open(os.path.join(self.project, "app.json"), "w") as f:
            json.dump(app, f, indent=2)
        meta = {"version": 0, "bundler": "metro", "fileMetadata": {}}
        for platform in ("ios", "android"):
            bundle = "_expo/static/js/%s/index-0f5c2a4e.hbc" % platform
            os.makedirs(os.path.join(self.project, "dist", os.path.dirname(bundle)), exist_ok=True)
            with open(os.path.join(self.project, "dist", bundle), "w") as f:
                f.write("console.log('yonima %s 1.5.0');\n" % platform)
            meta["fileMetadata"][platform] = {"bundle": bundle, "assets": []}
        with open(os.path.join(self.project, "dist", "metadata.json"), "w") as f:
            json.dump(meta, f)

    def stop_server(self):
        self.server.terminate()
        self.server.wait(timeout=10)
        self.server.stdout.close()
        self.server.stderr.close()

    def operations(self):
        with open(self.gql_log) as f:
            return [json.loads(l) for l in f if l.strip()]

    def run_real(self, *args):
        trace = os.path.join(self.tmp, "trace")
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": self.home, "XDG_CACHE_HOME": os.path.join(self.home, ".cache"),
               "EXPO_LOCAL": "1", "EXPO_TOKEN": TOKEN, "DISABLE_EAS_ANALYTICS": "1", "EAS_NO_VCS": "1",
               "EAS_PROJECT_ROOT": self.project, "GITHUB_ACTIONS": "true"}
        out, summary = os.path.join(self.tmp, "out"), os.path.join(self.tmp, "summary")
        open(out, "w").close()
        open(summary, "w").close()
        env.update({"GITHUB_OUTPUT": out, "GITHUB_STEP_SUMMARY": summary})
        proc = subprocess.run(["strace", "-f", "-qq", "-s", "4096", "-e", "trace=connect,execve", "-o", trace,
                               os.path.join(BIN, "ota-publish"), *args, "--project-dir", self.project, "--eas", EAS],
                              env=env, capture_output=True, text=True, timeout=300)
        with open(trace) as f:
            lines = f.read().splitlines()
        network = [l for l in lines if "connect(" in l and ("AF_INET" in l) and 'inet_addr("127.0.0.1")' not in l]
        self.assertEqual(network, [], "a process connected beyond 127.0.0.1")
        execs = [l for l in lines if "execve(" in l]
        self.assertTrue(any("eas-cli" in l for l in execs))
        for l in execs:
            self.assertNotIn(TOKEN, l, "EXPO_TOKEN on a command line")
        with open(out) as f:
            outputs = f.read()
        self.assertNotIn(TOKEN, outputs)
        return proc, outputs

    def test_rollback_with_the_real_eas_cli(self):
        proc, outputs = self.run_real("rollback", "--channel", "production", "--expect-current", self.bad["group"])
        self.assertEqual(proc.returncode, 0, proc.stdout[-3000:] + proc.stderr[-3000:])
        self.assertIn("rolled-back=true", outputs)
        newest = self.state()["branches"]["production"]["groups"][0]
        self.assertEqual(newest["runtimeVersion"], "1.0.0")
        self.assertEqual(newest["platforms"], ["android", "ios"])
        self.assertIn("new-group=" + newest["group"], outputs)
        ops = self.operations()
        names = [o["operation"] for o in ops]
        self.assertTrue(all(o.get("token_ok") for o in ops), "a request without EXPO_TOKEN as its bearer token")
        self.assertEqual(names.count("UpdatePublishMutation"), 1)
        [publish] = [o for o in ops if o["operation"] == "UpdatePublishMutation"]
        [group_input] = publish["variables"]["publishUpdateGroupsInput"]
        self.assertEqual(group_input["branchId"], self.state()["branches"]["production"]["id"])
        self.assertEqual(group_input["runtimeVersion"], "1.0.0")
        self.assertTrue(group_input["message"].startswith("Roll back production to " + self.good["group"]))
        self.assertEqual(sorted(group_input["updateInfoGroup"]), ["android", "ios"])
        # The group republished is the one before the broken release, read by its id.
        self.assertIn({"groupId": self.good["group"]}, [o["variables"] for o in ops if o["operation"] == "ViewUpdatesByGroup"])
        # Reads before (channel, history) and after (verification).
        self.assertEqual(names.count("ViewBranchesOnUpdateChannel"), 2)
        self.assertEqual(names.count("ViewUpdateGroupsOnBranch"), 2)
        self.assertLess(names.index("ViewUpdateGroupsOnBranch"), names.index("UpdatePublishMutation"))

    def test_publish_with_the_real_eas_cli(self):
        proc, outputs = self.run_real("publish", "--channel", "preview", "--message", "Corriger l'écran d'accueil (Thiès)",
                                      "--input-dir", "dist")
        self.assertEqual(proc.returncode, 0, proc.stdout[-3000:] + proc.stderr[-3000:])
        newest = self.state()["branches"]["preview"]["groups"][0]
        self.assertIn("group-id=" + newest["group"], outputs)
        self.assertIn("ios-update-id=" + newest["ids"]["ios"], outputs)
        self.assertIn("runtime-version=1.5.0", outputs)  # app.json: version 1.5.0, policy appVersion
        ops = self.operations()
        self.assertTrue(all(o.get("token_ok") for o in ops if o["operation"]), "a request without EXPO_TOKEN as its bearer token")
        names = [o["operation"] for o in ops]
        for op in ("GetAssetMetadataQuery", "GetSignedUploadMutation", "UpdatePublishMutation"):
            self.assertIn(op, names)
        self.assertEqual(len([o for o in ops if o["path"] == "/upload"]), 2)  # the two bundles
        [publish] = [o for o in ops if o["operation"] == "UpdatePublishMutation"]
        [group_input] = publish["variables"]["publishUpdateGroupsInput"]
        self.assertEqual(group_input["branchId"], self.state()["branches"]["preview"]["id"])
        self.assertEqual(group_input["message"], "Corriger l'écran d'accueil (Thiès)")
        self.assertEqual(group_input["runtimeVersion"], "1.5.0")
        self.assertEqual(sorted(group_input["updateInfoGroup"]), ["android", "ios"])
        # The EAS environment of eas.json's build profile on the channel: eas loaded its variables.
        self.assertIn("environment=preview", outputs)
        self.assertIn({"appId": PROJECT_ID, "environment": "preview", "includeFileContent": False},
                      [o["variables"] for o in ops if o["operation"] == "EnvironmentVariablesIncludingSensitiveByAppId"])

    def test_refusal_and_dry_run_write_nothing(self):
        proc, _ = self.run_real("rollback", "--channel", "production", "--expect-current", self.good["group"])
        self.assertEqual(proc.returncode, 1, proc.stderr[-3000:])
        proc, _ = self.run_real("rollback", "--channel", "production", "--dry-run")
        self.assertEqual(proc.returncode, 0, proc.stderr[-3000:])
        self.assertIn("update:republish --group=" + self.good["group"], proc.stdout)
        self.assertNotIn("UpdatePublishMutation", [o["operation"] for o in self.operations()])
        self.assertEqual(self.state()["branches"]["production"]["groups"][0]["group"], self.bad["group"])


if __name__ == "__main__":
    unittest.main()
