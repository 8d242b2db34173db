"""ota-publish rollout against the eas STAND-IN (eas_standin.py): view first, then create, edit or
end the channel rollout, and check the state eas reports afterwards."""
import unittest

from ota_fixture import OtaTest, group, state_with


class RolloutTest(OtaTest):
    def setUp(self):
        super().setUp()
        s = state_with(group("1.4.1"))
        s["branches"]["production-1.5"] = {"id": "branch-15", "groups": [group("1.5.0")]}
        self.set_state(s)

    def start(self, percent="10"):
        return self.run_ota("rollout", "--channel", "production", "--percent", percent, "--branch", "production-1.5",
                            "--runtime-version", "1.0.0")

    def test_create_then_edit_then_end(self):
        r = self.start()
        self.assertExit(r, 0)
        self.assertEqual([c["argv"][:3] for c in self.calls()],
                         [["channel:rollout", "production", "--action=view"], ["channel:rollout", "production", "--action=create"]])
        self.assertEqual(self.calls()[1]["argv"][3:], ["--percent=10", "--branch=production-1.5", "--runtime-version=1.0.0",
                                                        "--non-interactive", "--json"])
        self.assertEqual(r.outputs["percent"], "10")
        self.assertEqual(r.outputs["rolled-out-branch"], "production-1.5")
        self.assertEqual(r.outputs["default-branch"], "production")

        r = self.run_ota("rollout", "--channel", "production", "--percent", "50")
        self.assertExit(r, 0)
        self.assertIn("--action=edit", self.calls()[-1]["argv"])
        self.assertEqual(r.outputs["percent"], "50")
        self.assertEqual(r.outputs["previous-percent"], "10")

        r = self.run_ota("rollout", "--channel", "production", "--end", "--outcome", "republish-and-revert")
        self.assertExit(r, 0)
        self.assertIn("--outcome=republish-and-revert", self.calls()[-1]["argv"])
        self.assertEqual(r.outputs["has-rollout"], "false")
        self.assertEqual(self.state()["channels"]["production"]["branches"], ["production"])
        self.assertNoToken(r)

    def test_end_without_a_rollout_is_refused(self):
        r = self.run_ota("rollout", "--channel", "production", "--end")
        self.assertExit(r, 1)
        self.assertIn("no rollout in progress", self.said(r))
        self.assertEqual(len(self.calls()), 1)

    def test_a_refusal_is_said_once(self):
        r = self.run_ota("rollout", "--channel", "production", "--end", actions=False)
        self.assertExit(r, 1)
        self.assertEqual(r.stderr.count("no rollout in progress"), 1, r.stderr)

    def test_start_needs_branch_and_runtime(self):
        r = self.run_ota("rollout", "--channel", "production", "--percent", "10")
        self.assertExit(r, 2)
        self.assertIn("--branch and --runtime-version", self.said(r))
        self.assertEqual(len(self.calls()), 1)

    def test_other_branch_during_a_rollout_is_refused(self):
        self.assertExit(self.start(), 0)
        r = self.run_ota("rollout", "--channel", "production", "--percent", "20", "--branch", "other")
        self.assertExit(r, 1)
        self.assertIn("already rolling out branch production-1.5", self.said(r))

    def test_a_change_eas_did_not_make_is_exit_4(self):
        self.assertExit(self.start(), 0)
        self.fault("channel:rollout")  # the view passes
        self.fault("channel:rollout", skip_effect=True)
        r = self.run_ota("rollout", "--channel", "production", "--percent", "60", "--json")
        self.assertExit(r, 4)
        self.assertIn("now sends 10 %, not 60 %", r.json()["message"])

    def test_eas_that_fails_after_printing_is_named(self):
        # eas printed the channel and exited 1: its failure was not in any message.
        self.assertExit(self.start(), 0)
        self.fault("channel:rollout")  # the view passes
        self.fault("channel:rollout", skip_effect=True, exit=1)
        r = self.run_ota("rollout", "--channel", "production", "--percent", "60", "--json")
        self.assertExit(r, 4)
        self.assertIn("now sends 10 %, not 60 %", r.json()["message"])
        self.assertIn("exit 1", r.json()["message"])
        self.fault("channel:rollout")
        self.fault("channel:rollout", exit=1)  # done, then failed: verified from its output, warned
        r = self.run_ota("rollout", "--channel", "production", "--percent", "60")
        self.assertExit(r, 0)
        self.assertIn("after describing channel production as asked", r.stderr)

    def test_dry_run(self):
        r = self.run_ota("rollout", "--channel", "production", "--percent", "10", "--branch", "production-1.5",
                         "--runtime-version", "1.0.0", "--dry-run")
        self.assertExit(r, 0)
        self.assertIn("eas channel:rollout production --action=create --percent=10", r.stdout)
        self.assertEqual(len(self.calls()), 1)
        self.assertIsNone(self.state()["channels"]["production"]["rollout"])

    def rolled_out(self, percent=10):
        s = state_with(group("1.4.1"), group("1.4.0"))
        g = group("1.5.0 for 10 %")
        g["rolloutPercentage"] = percent
        s["branches"]["production"]["groups"].insert(0, g)
        self.set_state(s)
        return g

    def test_group_rollout_raise_and_complete(self):
        g = self.rolled_out()
        r = self.run_ota("rollout", "--group", g["group"], "--percent", "50")
        self.assertExit(r, 0)
        self.assertEqual(self.calls()[0]["argv"], ["update:edit", g["group"], "--rollout-percentage=50", "--non-interactive", "--json"])
        self.assertEqual(self.commands(), ["update:edit", "update:list"])
        self.assertEqual(r.outputs["percent"], "50")
        self.assertEqual(self.state()["branches"]["production"]["groups"][0]["rolloutPercentage"], 50)
        r = self.run_ota("rollout", "--group", g["group"], "--percent", "100")
        self.assertExit(r, 0)
        r = self.run_ota("rollout", "--group", g["group"], "--percent", "20")  # eas only raises a share
        self.assertExit(r, 3)
        self.assertIn("must be greater than previous", self.said(r))

    def test_group_rollout_revert(self):
        g = self.rolled_out()
        control = self.state()["branches"]["production"]["groups"][1]
        r = self.run_ota("rollout", "--group", g["group"], "--end")
        self.assertExit(r, 0)
        self.assertEqual(self.calls()[0]["argv"][:2], ["update:revert-update-rollout", "--group=" + g["group"]])
        newest = self.state()["branches"]["production"]["groups"][0]
        self.assertEqual(newest["copy_of"], control["group"])
        self.assertEqual(r.outputs["new-group"], newest["group"])
        self.assertNotIn(g["group"], [x["group"] for x in self.state()["branches"]["production"]["groups"]])

    def test_group_rollout_not_done_is_exit_4(self):
        g = self.rolled_out()
        self.fault("update:edit", skip_effect=True)
        r = self.run_ota("rollout", "--group", g["group"], "--percent", "60", "--json")
        self.assertExit(r, 4)
        self.assertIn("now reaches 10 %, not 60 %", r.json()["message"])
        self.fault("update:revert-update-rollout", skip_effect=True)
        r = self.run_ota("rollout", "--group", g["group"], "--end", "--json")
        self.assertExit(r, 4)
        self.assertIn("still on branch production", r.json()["message"])

    def test_group_rollout_usage(self):
        g = group("x")["group"]
        for args, text in ((["--group", "nope", "--percent", "5"], "not an update group id"),
                           (["--group", g, "--percent", "0"], "out of range"),
                           (["--group", g, "--percent", "5", "--channel", "production"], "exclude each other"),
                           (["--group", g, "--end", "--outcome", "republish-and-revert"], "--percent 100")):
            with self.subTest(args=args):
                r = self.run_ota("rollout", *args)
                self.assertExit(r, 2)
                self.assertIn(text, self.said(r))
        self.assertEqual(self.calls(), [])

    def test_usage(self):
        for args, text in ((["--percent", "101"], "out of range"), ([], "missing --percent N (0-100: start or change the rollout) or --end"),
                           (["--end", "--percent", "5"], "exclude each other"), (["--end", "--outcome", "undo"], "not an outcome")):
            with self.subTest(args=args):
                r = self.run_ota("rollout", "--channel", "production", *args)
                self.assertExit(r, 2)
                self.assertIn(text, self.said(r))
        self.assertEqual(self.calls(), [])


if __name__ == "__main__":
    unittest.main()
