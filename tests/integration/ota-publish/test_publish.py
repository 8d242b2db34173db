"""ota-publish publish against the eas STAND-IN (eas_standin.py): the command line it runs, the
outputs and summary it writes, and how it reads eas's output when eas misbehaves (stray lines,
garbage, partial JSON, failures, hangs). EXPO_TOKEN reaches eas through its environment only."""
import json
import os
import time
import unittest

from ota_fixture import state_with, group, OtaTest, PROJECT_ID, TOKEN, without_masks


class PublishTest(OtaTest):
    def test_publish_runs_eas_update_and_reports_ids_links_and_qr(self):
        r = self.run_ota("publish", "--channel", "preview", "--message", "Réparer la connexion à Thiès")
        self.assertExit(r, 0)
        [call] = self.calls()
        self.assertEqual(call["argv"], ["update", "--channel=preview", "--message=Réparer la connexion à Thiès", "--platform=all",
                                        "--environment=preview", "--non-interactive", "--json"])
        self.assertEqual(r.outputs["environment"], "preview")  # eas.json: profile preview, channel preview
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

    def test_the_eas_environment_is_the_one_of_the_build_profile_on_the_channel(self):
        """eas update refuses to run without --environment for SDK 55+, and an older SDK bundles the
        update without the server-side variables its builds have: the build profile of eas.json on
        that channel names the environment."""
        r = self.run_ota("publish", "--channel", "production", "--message", "m")
        self.assertExit(r, 0)
        self.assertIn("--environment=production", self.calls()[-1]["argv"])
        self.assertIn("EAS environment 'production' (build profile 'production' on channel 'production')", r.stderr)
        # --environment saying the same is fine.
        r = self.run_ota("publish", "--channel", "production", "--message", "m", "--environment", "production")
        self.assertExit(r, 0)
        self.assertIn("--environment=production", self.calls()[-1]["argv"])
        # Two profiles on one channel that disagree: nothing is guessed, nothing published.
        path = os.path.join(self.project, "eas.json")
        with open(path) as f:
            config = json.load(f)
        config["build"]["production-eu"] = {"extends": "production", "environment": "production-eu"}
        with open(path, "w") as f:
            json.dump(config, f)
        before = len(self.state()["branches"].get("production", {}).get("groups", []))
        r = self.run_ota("publish", "--channel", "production", "--message", "m")
        self.assertExit(r, 2)
        self.assertIn("use different EAS environments ('production' in production, 'production-eu' in production-eu)", self.said(r))
        self.assertEqual(len(self.state()["branches"].get("production", {}).get("groups", [])), before)
        # ... --environment says which of them; another one is refused.
        r = self.run_ota("publish", "--channel", "production", "--message", "m", "--environment", "production-eu")
        self.assertExit(r, 0)
        self.assertIn("--environment=production-eu", self.calls()[-1]["argv"])
        calls = len(self.calls())
        r = self.run_ota("publish", "--channel", "production", "--message", "m", "--environment", "preview")
        self.assertExit(r, 2)
        self.assertIn("'production' in production, 'production-eu' in production-eu", self.said(r))
        self.assertEqual(len(self.calls()), calls)
        # No profile on the channel names one: none is passed (as before).
        del config["build"]["production-eu"]
        del config["build"]["production"]["environment"]
        with open(path, "w") as f:
            json.dump(config, f)
        r = self.run_ota("publish", "--channel", "production", "--message", "m")
        self.assertExit(r, 0)
        self.assertFalse([a for a in self.calls()[-1]["argv"] if a.startswith("--environment")])
        self.assertEqual(r.outputs["environment"], "")
        # ... and --environment is taken as given.
        r = self.run_ota("publish", "--channel", "production", "--message", "m", "--environment", "staging")
        self.assertExit(r, 0)
        self.assertIn("--environment=staging", self.calls()[-1]["argv"])

    def test_environment_other_than_the_channel_build_profile_is_refused(self):
        """A production update bundled with preview's server-side variables would reach production
        builds: an --environment eas.json contradicts is refused before eas runs."""
        for extra in ([], ["--dry-run"]):
            with self.subTest(extra=extra):
                r = self.run_ota("publish", "--channel", "production", "--environment", "preview", "--message", "m", *extra,
                                 actions=False)
                self.assertExit(r, 2)
                [line] = r.stderr.splitlines()  # one line: what is wrong and what to do
                self.assertIn("--environment 'preview'", line)
                self.assertIn("environment 'production'", line)
                self.assertIn("build profile 'production'", line)
                self.assertIn("nothing changed", line)
                self.assertIn("leave --environment out", line)
                self.assertEqual(self.calls(), [])
        # The comparison is exact: eas's environments are case-sensitive.
        r = self.run_ota("publish", "--channel", "production", "--environment", "Production", "--message", "m")
        self.assertExit(r, 2)
        self.assertEqual(self.calls(), [])

    def test_unreadable_eas_json_is_refused_not_skipped(self):
        """A malformed eas.json names no channels: the misspelt-channel guard and the environment
        would silently be skipped. check-config calls it malformed; publish refuses it."""
        path = os.path.join(self.project, "eas.json")
        for name, content, problem in (("trailing comma, unclosed", b'{ "build": { "production": { "channel": "production", } , }',
                                        "object never closed"),
                                       ("UTF-16", b"\xff\xfe{\x00}\x00", "where a value should be"),
                                       ("empty", b"", "")):
            for channel in ("prodcution", "production"):
                with self.subTest(eas_json=name, channel=channel):
                    with open(path, "wb") as f:
                        f.write(content)
                    r = self.run_ota("publish", "--channel", channel, "--message", "m", actions=False)
                    self.assertExit(r, 2)
                    [line] = r.stderr.splitlines()
                    self.assertIn(path + " is not valid JSON or JSON5", line)
                    self.assertIn("at line 1, column", line)
                    self.assertIn(problem, line)
                    self.assertIn("ota-publish check-config --eas-json", line)
                    self.assertIn("nothing changed", line)
                    self.assertEqual(self.calls(), [])
        self.assertEqual(self.state()["branches"]["preview"]["groups"], [])
        self.assertNotIn("prodcution", self.state()["channels"])
        # Same verdict as check-config on that file.
        with open(path, "wb") as f:
            f.write(b'{ "build": { "production": { "channel": "production", } , }')
        self.assertExit(self.run_ota("check-config", "--eas-json", path), 1)
        # An eas.json that is a directory cannot be read either.
        os.remove(path)
        os.makedirs(path)
        r = self.run_ota("publish", "--channel", "production", "--message", "m")
        self.assertExit(r, 2)
        self.assertIn("cannot be read", self.said(r))
        self.assertEqual(self.calls(), [])

    def test_input_dir_skips_the_bundler(self):
        os.makedirs(os.path.join(self.project, "dist"))
        r = self.run_ota("publish", "--channel", "preview", "--message", "m", "--input-dir", "dist")
        self.assertExit(r, 0)
        self.assertEqual(self.calls()[0]["argv"][5:7], ["--skip-bundler", "--input-dir=dist"])
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
        self.assertIn("eas update --channel=preview '--message=it'\\''s here' --platform=all --environment=preview --non-interactive --json", r.stdout)
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
        self.assertIn("before publishing again", self.said(r))
        self.assertIn("eas channel:view preview --json", self.said(r))

    def test_eas_missing_is_exit_3(self):
        r = self.run_ota("publish", "--channel", "preview", "--message", "m", "--eas", os.path.join(self.tmp, "no-such-eas"))
        self.assertExit(r, 3)
        self.assertIn("could not start eas ('%s')" % os.path.join(self.tmp, "no-such-eas"), self.said(r))
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

    def test_environment_token_is_masked_when_the_input_replaces_it(self):
        other = "expo-env-token-Hh4Jk8Lm2Nq6Rs0Tv3Wx"
        self.fault("update", skip_effect=True, stdout="", exit=1, stderr="Error: saw %s\n" % other)
        r = self.run_ota("publish", "--channel", "preview", "--message", "m", token=False,
                         env={"INPUT_EXPO-TOKEN": TOKEN, "EXPO_TOKEN": other})
        self.assertExit(r, 3)
        self.assertEqual(self.calls()[0]["expo_token"], TOKEN)
        self.assertNotIn(other, without_masks(r.stdout) + without_masks(r.stderr) + r.summary + json.dumps(r.outputs))
        self.assertNoToken(r)

    def test_token_on_the_command_line_is_refused(self):
        r = self.run_ota("publish", "--channel", "preview", "--message", "m", "--expo-token", TOKEN)
        self.assertExit(r, 2)
        self.assertIn("visible to every process", self.said(r))
        self.assertEqual(self.calls(), [])
        self.assertNoToken(r)

    def test_misspelt_channel_is_refused_before_eas_runs(self):
        # eas update creates a missing channel: "prodcution" would publish to no build at all.
        r = self.run_ota("publish", "--channel", "prodcution", "--message", "m")
        self.assertExit(r, 2)
        self.assertIn("no build profile in", self.said(r))
        self.assertIn("development, preview, production", self.said(r))
        self.assertIn("--any-channel", self.said(r))
        self.assertEqual(self.calls(), [])
        r = self.run_ota("publish", "--channel", "prodcution", "--message", "m", "--dry-run")
        self.assertExit(r, 2)
        r = self.run_ota("publish", "--channel", "legacy-1.2", "--message", "m", "--any-channel")
        self.assertExit(r, 0)
        self.assertIn("legacy-1.2", self.state()["channels"])
        # Without an eas.json in the project there is nothing to compare with: eas decides.
        os.remove(os.path.join(self.project, "eas.json"))
        self.assertExit(self.run_ota("publish", "--channel", "other", "--message", "m"), 0)

    def test_failure_without_expo_token_says_so(self):
        self.fault("update", skip_effect=True, stdout="", exit=1,
                   stderr="An Expo user account is required to proceed.\n\nLog in by running eas login\nError: update command failed.\n")
        r = self.run_ota("publish", "--channel", "preview", "--message", "m", token=False, env={"EXPO_TOKEN": ""})
        self.assertExit(r, 3)
        self.assertIn("no EXPO_TOKEN was set", self.said(r))
        self.assertIn("Access tokens", self.said(r))
        # With a token the failure is eas's own: no word about a missing token.
        self.fault("update", skip_effect=True, stdout="", exit=1, stderr="Error: update command failed.\n")
        r = self.run_ota("publish", "--channel", "preview", "--message", "m")
        self.assertExit(r, 3)
        self.assertNotIn("no EXPO_TOKEN", self.said(r))

    def assertHarmless(self, r):
        """What ota-publish printed cannot drive the runner, corrupt a terminal or leak the token."""
        allowed = ("::add-mask::", "::error title=", "::warning title=", "::notice title=", "::debug::", "::group::", "::endgroup::")
        for line in (r.stdout + r.stderr).splitlines():
            if line.startswith("::"):
                self.assertTrue(line.startswith(allowed), line[:200])
            self.assertNotIn("\x1b", line)
            self.assertNotIn("\x00", line)
        self.assertNoToken(r)

    def test_hostile_eas_output_never_crashes_hangs_or_leaks(self):
        json_update = None  # eas's real answer follows the hostile bytes when "answer" is True
        cases = {
            "ansi": dict(raw_before="\x1b[33mwarning\x1b[0m \x1b]0;title\x07\n"),
            "workflow-commands": dict(raw_before="::error::pwned\n::add-mask::x\n::stop-commands::abc\n"),
            "nul-and-invalid-utf8": dict(raw_before="\x00\xff\xfe\xc3(\x00\n[\x00\n"),
            "deep-arrays": dict(raw_before="[" * 200000 + "\n"),
            "deep-objects": dict(raw_before='{"a":' * 100000 + "\n"),
            "duplicate-keys": dict(raw_before='[{"id":"11111111-1111-4111-8111-111111111111","id":"x","group":"g","platform":"ios"}]\n'),
            "50-MB-of-stray-lines": dict(flood={"line": "npm WARN deprecated something@1.0.0: no longer supported\n", "bytes": 50 << 20}),
            "50-MB-of-unterminated-json": dict(flood={"line": '{"a":"' + "x" * 1000 + "\n", "bytes": 50 << 20}),
            "50-MB-on-stderr": dict(flood_stderr={"line": "::error::from eas \x1b[31m\n", "bytes": 50 << 20}),
            "token-echoed": dict(echo_token=True),
        }
        for name, fault in cases.items():
            for answer in (True, False):
                with self.subTest(case=name, answer=answer):
                    self.set_state(state_with(group("1.4.1"), group("1.4.0")))
                    self.fault("update", **(fault if answer else dict(fault, stdout="", skip_effect=True)))
                    start = time.monotonic()
                    r = self.run_ota("publish", "--channel", "preview", "--message", "m", "--json", timeout=120)
                    self.assertLess(time.monotonic() - start, 60)
                    self.assertHarmless(r)
                    out = r.json()
                    if answer:  # eas's JSON after the noise is found (or a flood pushed it out: never a false success)
                        self.assertIn(r.code, (0, 4), out)
                        if r.code == 0:
                            self.assertEqual(out["outputs"]["group-id"], self.state()["branches"]["preview"]["groups"][0]["group"])
                    else:  # nothing usable: exit 4 (eas exited 0, something may have been published), saying what it got
                        self.assertExit(r, 4)
                        self.assertIn("eas printed no list of published updates", out["message"])

    def test_token_echoed_by_eas_is_masked(self):
        self.fault("update", skip_effect=True, stdout="", exit=1, stderr="Error: bad token %s\n" % TOKEN)
        r = self.run_ota("publish", "--channel", "preview", "--message", "m", "--json")
        self.assertExit(r, 3)
        self.assertIn("***", r.json()["message"])
        self.assertNoToken(r)
        # ... on stdout, on stderr and inside the JSON answer, with --verbose logging all of it.
        self.fault("update", echo_token=True)
        r = self.run_ota("publish", "--channel", "preview", "--message", "m", "--json", "--verbose")
        self.assertExit(r, 0)
        self.assertNoToken(r)


if __name__ == "__main__":
    unittest.main()
