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

    def test_dry_run(self):
        r = self.run_ota("rollout", "--channel", "production", "--percent", "10", "--branch", "production-1.5",
                         "--runtime-version", "1.0.0", "--dry-run")
        self.assertExit(r, 0)
        self.assertIn("eas channel:rollout production --action=create --percent=10", r.stdout)
        self.assertEqual(len(self.calls()), 1)
        self.assertIsNone(self.state()["channels"]["production"]["rollout"])

    def test_usage(self):
        for args, text in ((["--percent", "101"], "out of range"), ([], "missing --percent N or --end"),
                           (["--end", "--percent", "5"], "exclude each other"), (["--end", "--outcome", "undo"], "not an outcome")):
            with self.subTest(args=args):
                r = self.run_ota("rollout", "--channel", "production", *args)
                self.assertExit(r, 2)
                self.assertIn(text, self.said(r))
        self.assertEqual(self.calls(), [])


if __name__ == "__main__":
    unittest.main()
