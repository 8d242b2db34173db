"""ota-publish rollback against the eas STAND-IN (eas_standin.py): it reads what the channel serves,
republishes the group before it (or a chosen one, or the embedded update), reads the channel back
and checks it serves what was intended; refusals change nothing; races and lies are exit 4."""
import time
import unittest

from ota_fixture import OtaTest, group, state_with

READS = ["channel:view", "update:list"]


class RollbackTest(OtaTest):
    def setUp(self):
        super().setUp()
        self.old, self.good, self.bad = group("1.4.0"), group("1.4.1"), group("1.5.0 (broken)")
        self.set_state(state_with(self.bad, self.good, self.old))

    def newest(self):
        return self.state()["branches"]["production"]["groups"][0]

    def test_rolls_back_to_the_previous_group_and_verifies(self):
        r = self.run_ota("rollback", "--channel", "production")
        self.assertExit(r, 0)
        self.assertEqual(self.commands(), READS + ["update:republish"] + READS)
        republish = self.calls()[2]["argv"]
        self.assertIn("--group=" + self.good["group"], republish)
        self.assertIn("--destination-channel=production", republish)
        self.assertIn("--non-interactive", republish)
        self.assertEqual(self.calls()[1]["argv"],
                         ["update:list", "--branch=production", "--runtime-version=1.0.0", "--limit=50", "--non-interactive", "--json"])
        newest = self.newest()
        self.assertEqual(newest["copy_of"], self.good["group"])
        self.assertEqual(r.outputs["current-group"], self.bad["group"])
        self.assertEqual(r.outputs["target-group"], self.good["group"])
        self.assertEqual(r.outputs["new-group"], newest["group"])
        self.assertEqual(r.outputs["rolled-back"], "true")
        self.assertIn("verified", self.said(r))
        self.assertNoToken(r)

    def test_a_second_rollback_goes_further_back_not_to_the_broken_release(self):
        self.assertExit(self.run_ota("rollback", "--channel", "production"), 0)
        self.assertEqual(self.newest()["copy_of"], self.good["group"])
        r = self.run_ota("rollback", "--channel", "production")
        self.assertExit(r, 0)
        self.assertEqual(self.newest()["copy_of"], self.old["group"])
        self.assertIn("is an earlier rollback", self.said(r))
        r = self.run_ota("rollback", "--channel", "production", "--json")
        self.assertExit(r, 1)
        self.assertIn("--to-embedded", r.json()["hint"])

    def test_expect_current_refuses_when_someone_published_in_between(self):
        r = self.run_ota("rollback", "--channel", "production", "--expect-current", self.good["group"])
        self.assertExit(r, 1)
        self.assertIn("someone published in between; nothing changed", self.said(r))
        self.assertEqual(self.commands(), READS)
        self.assertEqual(self.newest()["group"], self.bad["group"])
        self.assertEqual(r.outputs["rolled-back"], "false")

    def test_expect_current_that_matches_proceeds(self):
        r = self.run_ota("rollback", "--channel", "production", "--expect-current", self.bad["group"])
        self.assertExit(r, 0)
        self.assertEqual(self.newest()["copy_of"], self.good["group"])

    def test_to_group_from_history(self):
        r = self.run_ota("rollback", "--channel", "production", "--to-group", self.old["group"], "--message", "retour à 1.4.0")
        self.assertExit(r, 0)
        self.assertIn("--message=Roll back production to %s (was %s): retour à 1.4.0" % (self.old["group"], self.bad["group"]),
                      self.calls()[2]["argv"])
        self.assertEqual(self.newest()["copy_of"], self.old["group"])

    def test_a_rollback_with_its_own_message_is_still_known_as_one(self):
        # Its message was the user's words alone: a second rollback took the group before it for
        # the previous release and offered to serve the broken one again.
        # Words that contain the marker's own phrase must not hide it either.
        for words in ("retour à 1.4.1", "Roll back production to 1.4.1, the last good one"):
            with self.subTest(message=words):
                self.set_state(state_with(self.bad, self.good, self.old))
                r = self.run_ota("rollback", "--channel", "production", "--expect-current", self.bad["group"], "--message", words)
                self.assertExit(r, 0)
                r = self.run_ota("rollback", "--channel", "production", "--dry-run", "--json")
                self.assertExit(r, 0)
                self.assertEqual(r.json()["target"]["group"], self.old["group"])

    def test_to_group_of_another_runtime_is_refused(self):
        other = group("built for 2.0.0", runtime="2.0.0")
        s = self.state()
        s["branches"]["production"]["groups"].append(other)
        self.set_state(s)
        r = self.run_ota("rollback", "--channel", "production", "--to-group", other["group"])
        self.assertExit(r, 1)
        self.assertIn("is not among the last 50 update groups", self.said(r))
        self.assertEqual(self.commands(), READS)

    def test_to_embedded(self):
        r = self.run_ota("rollback", "--channel", "production", "--to-embedded", "--platform", "android")
        self.assertExit(r, 0)
        call = self.calls()[2]["argv"]
        self.assertEqual(call[:3], ["update:roll-back-to-embedded", "--channel=production", "--runtime-version=1.0.0"])
        self.assertIn("--platform=android", call)
        self.assertTrue(self.newest()["isRollBackToEmbedded"])

    def test_only_one_group_suggests_embedded(self):
        self.set_state(state_with(self.bad))
        r = self.run_ota("rollback", "--channel", "production")
        self.assertExit(r, 1)
        self.assertIn("--to-embedded", self.said(r))
        self.assertEqual(self.commands(), READS)

    def test_channel_in_a_rollout_is_refused(self):
        s = self.state()
        s["branches"]["production-1.5"] = {"id": "b-15", "groups": [group("1.5.0")]}
        s["channels"]["production"]["branches"].insert(0, "production-1.5")
        s["channels"]["production"]["rollout"] = {"percent": 20, "runtime": "1.0.0"}
        self.set_state(s)
        r = self.run_ota("rollback", "--channel", "production")
        self.assertExit(r, 1)
        self.assertIn("is in a rollout", self.said(r))
        self.assertIn("rollout --channel production --end", self.said(r))
        self.assertEqual(self.commands(), ["channel:view"])

    def test_a_refusal_is_said_once(self):
        # Outside Actions the verdict is the one line; in Actions the annotation is added for the run page.
        r = self.run_ota("rollback", "--channel", "production", "--expect-current", self.good["group"], actions=False)
        self.assertExit(r, 1)
        self.assertEqual(r.stderr.count("someone published in between"), 1, r.stderr)
        self.assertIn("error: refused: channel production serves group", r.stderr)
        r = self.run_ota("rollback", "--channel", "production", "--expect-current", self.good["group"])
        self.assertExit(r, 1)
        self.assertEqual(r.stdout.count("::error title=ota-publish rollback%3A refused::"), 1, r.stdout)
        self.assertEqual(r.stderr.count("someone published in between"), 1, r.stderr)

    def test_dry_run_prints_every_eas_command_and_changes_nothing(self):
        r = self.run_ota("rollback", "--channel", "production", "--dry-run")
        self.assertExit(r, 0)
        lines = [l for l in r.stdout.splitlines() if l.startswith("eas ")]
        self.assertEqual(len(lines), 3, r.stdout)
        self.assertTrue(lines[2].startswith("eas update:republish --group=" + self.good["group"] + " --destination-channel=production"))
        self.assertEqual(self.commands(), READS)
        self.assertEqual(self.newest()["group"], self.bad["group"])

    def test_race_after_republish_is_exit_4_with_the_state(self):
        self.fault("update:republish", publish_extra="production")
        r = self.run_ota("rollback", "--channel", "production")
        self.assertExit(r, 4)
        self.assertIn("someone published in between", self.said(r))
        self.assertIn("published group", self.said(r))

    def test_eas_claims_success_but_nothing_changed_is_exit_4(self):
        # eas said it published: the group it named may still appear, so a human looks (exit 4).
        self.fault("update:republish", skip_effect=True)
        r = self.run_ota("rollback", "--channel", "production", "--json")
        self.assertExit(r, 4)
        message = r.json()["message"]
        self.assertIn("still serves group " + self.bad["group"], message)
        self.assertIn("the rollback did not take effect", message)
        self.assertIn("exited 0", message)
        self.assertNotIn("someone published", message)

    def test_republish_that_failed_without_effect_is_exit_3_with_eas_error(self):
        """eas printed a group, then failed (exit 1), and the channel still serves what was live
        before: nobody published in between, the rollback did not take effect (read back: exit 3)."""
        self.fault("update:republish", echo_token=True, exit=1, skip_effect=True)
        r = self.run_ota("rollback", "--channel", "production", "--json")
        self.assertExit(r, 3)
        message = r.json()["message"]
        self.assertIn("the rollback did not take effect", message)
        self.assertIn("still serves group " + self.bad["group"], message)
        self.assertIn("eas update:republish failed (exit 1): Error: token *** was used", message)
        self.assertNotIn("someone published", message)
        self.assertEqual(r.json()["current"]["group"], self.bad["group"])
        self.assertEqual(self.commands(), READS + ["update:republish"] + READS)  # what the channel serves was read back
        self.assertEqual(self.newest()["group"], self.bad["group"])
        self.assertEqual(r.outputs["rolled-back"], "false")
        self.assertNoToken(r)

    def test_eas_error_line_of_a_rollback_without_effect_is_escaped(self):
        self.fault("update:republish", exit=1, skip_effect=True, stderr="Error: \x1b[31mboom\x1b[0m\n::error::pwned\n")
        r = self.run_ota("rollback", "--channel", "production", "--json")
        self.assertExit(r, 3)
        self.assertIn("did not take effect", r.json()["message"])
        self.assertIn("Error: \\x1B[31mboom", r.json()["message"])
        for line in self.said(r).splitlines():
            self.assertFalse(line.startswith("::error::pwned"), line)
            self.assertNotIn("\x1b", line)

    def test_republish_that_took_effect_then_failed_is_done_with_a_warning(self):
        self.fault("update:republish", exit=1, stderr="Error: failed to write eas-update-metadata.json\n")
        r = self.run_ota("rollback", "--channel", "production")
        self.assertExit(r, 0)
        self.assertEqual(self.newest()["copy_of"], self.good["group"])
        self.assertIn("verified", self.said(r))
        self.assertIn("eas update:republish failed (exit 1) after publishing", self.said(r))

    def test_race_after_a_failed_republish_names_eas_failure_too(self):
        self.fault("update:republish", publish_extra="production", exit=1, stderr="Error: socket hang up\n")
        r = self.run_ota("rollback", "--channel", "production", "--json")
        self.assertExit(r, 4)
        self.assertIn("someone published in between", r.json()["message"])
        self.assertIn("eas update:republish failed (exit 1): Error: socket hang up", r.json()["message"])

    def test_republish_failure_is_exit_3_and_the_channel_unchanged(self):
        self.fault("update:republish", skip_effect=True, stdout="", exit=1,
                   stderr="Error: Only --group can be used in non-interactive mode\n")
        r = self.run_ota("rollback", "--channel", "production")
        self.assertExit(r, 3)
        self.assertIn("eas update:republish failed (exit 1): Error: Only --group", self.said(r))
        self.assertEqual(self.newest()["group"], self.bad["group"])

    def test_read_hang_is_exit_3(self):
        self.fault("channel:view", hang=120)
        start = time.monotonic()
        r = self.run_ota("rollback", "--channel", "production", "--timeout", "1s")
        self.assertLess(time.monotonic() - start, 15)
        self.assertExit(r, 3)
        self.assertIn("did not finish within", self.said(r))
        self.assertIn("nothing changed", self.said(r))

    def test_hang_while_verifying_is_exit_4_with_what_was_published(self):
        self.fault("channel:view")  # the first read answers
        self.fault("channel:view", hang=120)  # the read-back hangs
        start = time.monotonic()
        r = self.run_ota("rollback", "--channel", "production", "--timeout", "2s", "--json")
        self.assertLess(time.monotonic() - start, 20)
        self.assertExit(r, 4)
        newest = self.newest()
        self.assertEqual(newest["copy_of"], self.good["group"])  # the write happened: exit 4 says so
        self.assertIn("published group " + newest["group"], r.json()["message"])
        self.assertIn("could not read the channel back", r.json()["message"])
        self.assertIn("eas update:list --branch production", r.json()["hint"])
        self.assertNoToken(r)

    def test_republish_hang_is_exit_4(self):
        self.fault("update:republish", hang=120)
        r = self.run_ota("rollback", "--channel", "production", "--timeout", "2s")
        self.assertExit(r, 4)
        self.assertIn("may or may not have taken effect", self.said(r))

    def test_unreadable_channel_is_exit_3(self):
        self.fault("channel:view", stdout="Channel production:\n  Branch: production\n")
        r = self.run_ota("rollback", "--channel", "production")
        self.assertExit(r, 3)
        self.assertIn("eas printed no channel description", self.said(r))

    def test_hostile_branch_name_from_eas_is_refused(self):
        hostile = "production\n::error::pwned"
        self.set_state(state_with(self.bad, self.good, branch=hostile))
        r = self.run_ota("rollback", "--channel", "production")
        self.assertExit(r, 3)
        self.assertIn("with a branch name", self.said(r))
        self.assertEqual(self.commands(), ["channel:view"])
        for line in self.said(r).splitlines():
            self.assertFalse(line.startswith("::error::pwned"), line)

    def test_wrong_channel_says_how_to_find_the_right_one(self):
        r = self.run_ota("rollback", "--channel", "prod")
        self.assertExit(r, 3)
        self.assertIn("Could not find a channel with name: prod", self.said(r))
        self.assertIn("eas channel:list", self.said(r))
        self.assertEqual(self.commands(), ["channel:view"])

    def test_failure_without_expo_token_says_so(self):
        self.fault("channel:view", stdout="", exit=1,
                   stderr="An Expo user account is required to proceed.\n\nLog in by running eas login\nError: channel:view command failed.\n")
        r = self.run_ota("rollback", "--channel", "production", token=False, env={"CI": "true"})
        self.assertExit(r, 3)
        self.assertIn("no EXPO_TOKEN was set", self.said(r))
        self.assertIn("secrets.EXPO_TOKEN", self.said(r))

    def test_token_echoed_in_what_eas_reads_is_masked(self):
        self.fault("channel:view", echo_token=True)
        self.fault("update:list", echo_token=True)
        r = self.run_ota("rollback", "--channel", "production", "--dry-run", "--json", "--verbose")
        self.assertExit(r, 0)
        self.assertIn("***", r.json()["current"]["message"])
        self.assertNoToken(r)

    def test_hostile_update_message_in_a_refusal_is_escaped(self):
        hostile = group("\n::error::pwned \x1b[31mred\x1b[0m \udcff")
        self.set_state(state_with(hostile, self.good))
        r = self.run_ota("rollback", "--channel", "production", "--expect-current", self.good["group"])
        self.assertExit(r, 1)
        self.assertIn("someone published in between", self.said(r))
        self.assertNotIn('(""', self.said(r))  # eas's message is quoted once
        for line in self.said(r).splitlines():
            self.assertFalse(line.startswith("::error::pwned"), line)
            self.assertNotIn("\x1b", line)
        self.assertEqual(self.commands(), READS)

    def test_usage_errors(self):
        for args, text in ((["--to-group", "abc"], "not an update group id"),
                           (["--expect-current", "--x"], "not an update group id"),
                           (["--to-group", self.good["group"], "--to-embedded"], "exclude each other"),
                           (["--runtime-version", "1.0 0"], "space"),
                           (["--runtime-version", "1.0\udcff"], "--runtime-version '1.0\ufffd' is not valid UTF-8")):
            with self.subTest(args=args):
                r = self.run_ota("rollback", "--channel", "production", *args)
                self.assertExit(r, 2)
                self.assertIn(text, self.said(r))
        self.assertEqual(self.calls(), [])

    def test_verification_reads_the_channel_after_the_write(self):
        r = self.run_ota("rollback", "--channel", "production", "--to-embedded", "--json")
        self.assertExit(r, 0)
        j = r.json()
        self.assertEqual(j["current"]["group"], self.bad["group"])
        self.assertIsNone(j.get("target"))
        self.assertTrue(self.newest()["isRollBackToEmbedded"])
        self.assertEqual(self.commands()[-2:], READS)


if __name__ == "__main__":
    unittest.main()
