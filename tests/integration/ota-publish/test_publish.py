"""ota-publish publish against the eas STAND-IN (eas_standin.py): the command line it runs, the
outputs and summary it writes, and how it reads eas's output when eas misbehaves (stray lines,
garbage, partial JSON, failures, hangs). EXPO_TOKEN reaches eas through its environment only."""
import json
import os
import time
import unittest

from ota_fixture import OtaTest, PROJECT_ID, TOKEN


class PublishTest(OtaTest):
    def test_publish_runs_eas_update_and_reports_ids_links_and_qr(self):
        r = self.run_ota("publish", "--channel", "preview", "--message", "Réparer la connexion à Thiès")
        self.assertExit(r, 0)
        [call] = self.calls()
        self.assertEqual(call["argv"], ["update", "--channel=preview", "--message=Réparer la connexion à Thiès", "--platform=all",
                                        "--non-interactive", "--json"])
        self.assertEqual(os.path.realpath(call["cwd"]), os.path.realpath(self.project))
        self.assertEqual(call["expo_token"], TOKEN)
        published = self.state()["branches"]["preview"]["groups"][0]
        self.assertEqual(r.outputs["group-id"], published["group"])
        self.assertEqual(r.outputs["ios-update-id"], published["ids"]["ios"])
        self.assertEqual(r.outputs["android-update-id"], published["ids"]["android"])
        self.assertEqual(json.loads(r.outputs["update-ids"]), published["ids"])
        self.assertEqual(r.outputs["runtime-version"], "1.0.0")
        self.assertEqual(r.outputs["branch"], "preview")
        self.assertEqual(r.outputs["ios-manifest-permalink"], "https://u.expo.dev/update/" + published["ids"]["ios"])
        self.assertEqual(r.outputs["update-url"], "https://expo.dev/projects/%s/updates/%s" % (PROJECT_ID, published["group"]))
        self.assertEqual(r.outputs["qr-code-url"],
                         "https://qr.expo.dev/eas-update?slug=exp&projectId=%s&groupId=%s" % (PROJECT_ID, published["group"]))
        self.assertIn('<img src="%s"' % r.outputs["qr-code-url"], r.summary)
        self.assertIn("Réparer la connexion à Thiès", r.summary)
        self.assertNoToken(r)

    def test_options_reach_eas_as_flags(self):
        r = self.run_ota("publish", "--channel", "preview", "--message", "-starts with a dash", "--platform", "ios",
                         "--environment", "preview", "--rollout-percentage", "10")
        self.assertExit(r, 0)
        self.assertEqual(self.calls()[0]["argv"], ["update", "--channel=preview", "--message=-starts with a dash", "--platform=ios",
                                                   "--environment=preview", "--rollout-percentage=10", "--non-interactive", "--json"])
        self.assertNotIn("android-update-id", r.outputs)

    def test_input_dir_skips_the_bundler(self):
        os.makedirs(os.path.join(self.project, "dist"))
        r = self.run_ota("publish", "--channel", "preview", "--message", "m", "--input-dir", "dist")
        self.assertExit(r, 0)
        self.assertEqual(self.calls()[0]["argv"][4:6], ["--skip-bundler", "--input-dir=dist"])
        r = self.run_ota("publish", "--channel", "preview", "--message", "m", "--input-dir", "nope")
        self.assertExit(r, 2)
        self.assertIn("npx expo export", self.said(r))

    def test_message_defaults_to_commit_subject_and_short_sha(self):
        event = os.path.join(self.tmp, "event.json")
        with open(event, "w") as f:
            json.dump({"head_commit": {"message": "fix: crash au démarrage\n\nlong body"}}, f)
        r = self.run_ota("publish", "--channel", "preview",
                         env={"GITHUB_SHA": "4f1e0c2d9a7b6c5d4e3f", "GITHUB_EVENT_PATH": event})
        self.assertExit(r, 0)
        self.assertIn("--message=fix: crash au démarrage (4f1e0c2)", self.calls()[0]["argv"])

    def test_channel_required(self):
        r = self.run_ota("publish", "--message", "m")
        self.assertExit(r, 2)
        self.assertIn("missing --channel (or INPUT_CHANNEL)", self.said(r))

    def test_message_required_outside_actions(self):
        r = self.run_ota("publish", "--channel", "preview")
        self.assertExit(r, 2)
        self.assertIn("missing --message", self.said(r))
        self.assertEqual(self.calls(), [])

    def test_usage_errors_change_nothing(self):
        for args, text in ((["--platform", "web"], "not a platform"), (["--rollout-percentage", "0"], "out of range"),
                           (["--rollout-percentage", "abc"], "not a whole number"), (["--project-id", "nope"], "not an EAS project id"),
                           (["--timeout", "0s"], "--timeout"), (["--project-dir", "/no/such/dir"], "is not a directory")):
            with self.subTest(args=args):
                r = self.run_ota("publish", "--channel", "preview", "--message", "m", *args)
                self.assertExit(r, 2)
                self.assertIn(text, self.said(r))
        r = self.run_ota("publish", "--channel", "--json", "--message", "m")
        self.assertExit(r, 2)
        r = self.run_ota("publish", "--message", "m", env={"INPUT_CHANNEL": "-x"})
        self.assertExit(r, 2)
        self.assertIn("starts with '-'", self.said(r))
        self.assertEqual(self.calls(), [])

    def test_dry_run_prints_the_command_and_runs_nothing(self):
        r = self.run_ota("publish", "--channel", "preview", "--message", "it's here", "--dry-run")
        self.assertExit(r, 0)
        self.assertIn("eas update --channel=preview '--message=it'\\''s here' --platform=all --non-interactive --json", r.stdout)
        self.assertEqual(self.calls(), [])
        self.assertEqual(r.outputs["dry-run"], "true")

    def test_stray_lines_around_the_json_are_skipped(self):
        self.fault("update", stray_before="npm notice New major version of npm available!\n{\"level\":\"warn\",\"msg\":\"a plugin\"}\n",
                   stray_after="\nDone in 3.2s\n")
        r = self.run_ota("publish", "--channel", "preview", "--message", "m", "--json")
        self.assertExit(r, 0)
        self.assertEqual(r.json()["outputs"]["group-id"], self.state()["branches"]["preview"]["groups"][0]["group"])

    def test_json_printed_then_nonzero_exit_is_published_with_a_warning(self):
        self.fault("update", exit=1, stderr="Error: failed to write eas-update-metadata.json\n")
        r = self.run_ota("publish", "--channel", "preview", "--message", "m")
        self.assertExit(r, 0)
        self.assertIn("exited non-zero after publishing", self.said(r))

    def test_garbage_with_exit_0_is_exit_4_and_escaped(self):
        self.fault("update", skip_effect=True, stdout="::error::pwned\n\x1b[31m{\"group\": \x00 \xff\xfe\n[1, 2")
        r = self.run_ota("publish", "--channel", "preview", "--message", "m")
        self.assertExit(r, 4)
        self.assertIn("probably published", self.said(r))
        self.assertIn("update:list", self.said(r))
        for line in (r.stdout + r.stderr).splitlines():
            self.assertFalse(line.startswith("::error::pwned"), line)
            self.assertNotIn("\x1b", line)

    def test_partial_json_is_reported_as_partial(self):
        self.fault("update", skip_effect=True, stdout='[\n  {\n    "id": "abc",\n')
        r = self.run_ota("publish", "--channel", "preview", "--message", "m", "--json")
        self.assertExit(r, 4)
        self.assertIn("ends early (partial output)", r.json()["message"])

    def test_eas_failure_is_exit_3_with_its_error_line(self):
        self.fault("update", skip_effect=True, stdout="", exit=1,
                   stderr="Uploading...\nError: GraphQL request failed: Entity not authorized: AccountEntity[x] (viewer = Robot)\n    at foo (x.js:1)\n")
        r = self.run_ota("publish", "--channel", "preview", "--message", "m")
        self.assertExit(r, 3)
        self.assertIn("eas update failed (exit 1): Error: GraphQL request failed: Entity not authorized", self.said(r))
        self.assertIn("EAS reported no change", self.said(r))
        self.assertEqual(self.state()["branches"]["preview"]["groups"], [])

    def test_hang_is_stopped_and_reported_as_unknown_state(self):
        self.fault("update", hang=120)
        start = time.monotonic()
        r = self.run_ota("publish", "--channel", "preview", "--message", "m", "--timeout", "1s")
        self.assertLess(time.monotonic() - start, 15)
        self.assertExit(r, 4)
        self.assertIn("did not finish within", self.said(r))
        self.assertIn("may or may not have taken effect", self.said(r))

    def test_eas_missing_is_exit_3(self):
        r = self.run_ota("publish", "--channel", "preview", "--message", "m", "--eas", os.path.join(self.tmp, "no-such-eas"))
        self.assertExit(r, 3)
        self.assertIn("could not start eas", self.said(r))
        self.assertIn("npm install -g eas-cli@24.8.0", self.said(r))

    def test_eas_as_a_command_line(self):
        r = self.run_ota("publish", "--channel", "preview", "--message", "m", "--eas", "python3 " + self.eas)
        self.assertExit(r, 0)
        self.assertEqual(self.calls()[0]["argv"][0], "update")

    def test_token_from_input_goes_to_eas_environment_only(self):
        r = self.run_ota("publish", "--channel", "preview", "--message", "m", token=False, env={"INPUT_EXPO-TOKEN": TOKEN})
        self.assertExit(r, 0)
        self.assertEqual(self.calls()[0]["expo_token"], TOKEN)
        self.assertIn("::add-mask::" + TOKEN, r.stdout)  # handed to the runner to mask, the one allowed place
        self.assertNoToken(r)

    def test_token_on_the_command_line_is_refused(self):
        r = self.run_ota("publish", "--channel", "preview", "--message", "m", "--expo-token", TOKEN)
        self.assertExit(r, 2)
        self.assertIn("visible to every process", self.said(r))
        self.assertEqual(self.calls(), [])
        self.assertNoToken(r)

    def test_token_echoed_by_eas_is_masked(self):
        self.fault("update", skip_effect=True, stdout="", exit=1, stderr="Error: bad token %s\n" % TOKEN)
        r = self.run_ota("publish", "--channel", "preview", "--message", "m", "--json")
        self.assertExit(r, 3)
        self.assertIn("***", r.json()["message"])
        self.assertNoToken(r)


if __name__ == "__main__":
    unittest.main()
