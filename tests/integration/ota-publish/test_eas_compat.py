"""Every eas command line ota-publish can generate is accepted by the pinned eas-cli 24.8.0's own
parser (oclif: the command exists, every flag exists, values are allowed, exclusive flags are not
combined, integers in range). The command lines are the ones ota-publish really ran against the eas
stand-in across its commands and options; tests/tools/eas-parse.cjs hands them to eas-cli's parser
without running them. Offline; the parser run is traced and must not connect anywhere. eas-cli is
installed from tests/tools/eas-cli/package-lock.json when missing; under CI a skip is a failure."""
import json
import os
import shutil
import subprocess
import tempfile
import unittest

from ota_fixture import EAS_CLI_ROOT, OtaTest, ROOT, group, install_eas_cli, skip_or_fail, state_with

PARSER = os.path.join(ROOT, "tests", "tools", "eas-parse.cjs")
MESSAGES = ["plain", "-starts with a dash", "--message=looks like a flag", "multi\nline", "Thiès: corriger l'écran d'accueil",
            "quote ' and \" and $HOME and `x`"]


class EasCompatTest(OtaTest):
    def setUp(self):
        super().setUp()
        reason = install_eas_cli()
        if reason:
            skip_or_fail(self, reason)

    def generate(self):
        """Runs every command shape against the stand-in; returns the argv lists eas received."""
        argvs = []

        def run(*args, state=None):
            if state:
                self.set_state(state)
            if os.path.exists(self.log_file):
                os.remove(self.log_file)
            r = self.run_ota(*args)
            self.assertIn(r.code, (0, 1), repr(r))
            argvs.extend(c["argv"] for c in self.calls())

        for platform in ("all", "ios", "android"):
            for message in MESSAGES:
                run("publish", "--channel", "preview", "--message", message, "--platform", platform)
            run("publish", "--channel", "production", "--message", "m", "--platform", platform, "--environment", "production",
                "--rollout-percentage", "1")
            run("publish", "--channel", "production", "--message", "m", "--platform", platform, "--rollout-percentage", "100")
            run("publish", "--channel", "production", "--message", "m", "--platform", platform, "--input-dir", ".")
            a, b, c = group("a"), group("b"), group("c")
            run("rollback", "--channel", "production", "--platform", platform, state=state_with(c, b, a))
            run("rollback", "--channel", "production", "--platform", platform, "--to-group", a["group"], "--message", "-x",
                state=state_with(c, b, a))
            run("rollback", "--channel", "production", "--platform", platform, "--to-embedded", "--runtime-version", "1.0.0",
                state=state_with(c, b, a))
        s = state_with(group("1.4.1"))
        s["branches"]["production-1.5"] = {"id": "b15", "groups": [group("1.5.0")]}
        self.set_state(s)
        run("rollout", "--channel", "production", "--percent", "10", "--branch", "production-1.5", "--runtime-version", "1.0.0")
        run("rollout", "--channel", "production", "--percent", "0")
        run("rollout", "--channel", "production", "--percent", "100")
        run("rollout", "--channel", "production", "--end", "--outcome", "revert")
        run("rollout", "--channel", "production", "--percent", "10", "--branch", "production-1.5", "--runtime-version", "1.0.0")
        run("rollout", "--channel", "production", "--end", "--outcome", "republish-and-revert")
        for args in (["--percent", "50"], ["--percent", "100"], ["--end"]):
            s = state_with(group("1.4.1"), group("1.4.0"))
            g = group("rolling out")
            g["rolloutPercentage"] = 10
            s["branches"]["production"]["groups"].insert(0, g)
            run("rollout", "--group", g["group"], *args, state=s)
        return argvs

    def parse_with_eas_cli(self, argvs):
        strace = shutil.which("strace")
        with tempfile.TemporaryDirectory() as d:
            trace = os.path.join(d, "trace")
            cmd = ["node", PARSER]
            if strace:
                cmd = [strace, "-f", "-qq", "-e", "trace=connect", "-o", trace] + cmd
            proc = subprocess.run(cmd, input=json.dumps(argvs), capture_output=True, text=True, timeout=300,
                                  env=dict(os.environ, EAS_CLI_ROOT=EAS_CLI_ROOT))
            self.assertEqual(proc.returncode, 0, proc.stderr[-3000:])
            if strace:
                with open(trace) as f:
                    network = [l for l in f if "AF_INET" in l]
                self.assertEqual(network, [], "the eas-cli parser run tried to connect")
            elif os.environ.get("CI"):
                self.fail("strace is required under CI to check that the parser run connects nowhere")
        return json.loads(proc.stdout)

    def test_every_generated_command_line_is_accepted(self):
        argvs = self.generate()
        out = self.parse_with_eas_cli(argvs)
        self.assertEqual(out["version"], "24.8.0")
        commands = {r["argv"][0] for r in out["results"]}
        self.assertEqual(commands, {"update", "channel:view", "update:list", "update:republish", "update:roll-back-to-embedded",
                                    "channel:rollout", "update:edit", "update:revert-update-rollout"})
        for r in out["results"]:
            with self.subTest(argv=r["argv"]):
                self.assertTrue(r["ok"], r.get("error"))
                self.assertTrue(r["flags"]["json"])
                self.assertTrue(r["flags"]["non-interactive"])
        # What eas parsed is what ota-publish meant: messages arrive verbatim, never as flags.
        messages = {r["flags"].get("message") for r in out["results"] if r["argv"][0] == "update"}
        self.assertTrue(set(MESSAGES) <= messages, messages)
        republish = [r for r in out["results"] if r["argv"][0] == "update:republish"]
        self.assertTrue(republish and all("group" in r["flags"] and "destination-channel" in r["flags"] for r in republish))
        # The user's "-x" follows the rollback marker (which a later rollback reads), verbatim.
        self.assertTrue(any((r["flags"].get("message") or "").endswith("): -x") for r in republish), republish)

    def test_the_parser_refuses_what_eas_refuses(self):
        """The harness is not a rubber stamp: eas-cli's parser rejects bad shapes."""
        bad = [["update", "--platform=web"], ["update:republish", "--group=x", "--branch=y"],
               ["channel:rollout", "c", "--action=create", "--outcome=undo"], ["update:rollout"],
               ["update:republish", "--rollout-percentage=101"]]
        out = self.parse_with_eas_cli(bad)
        self.assertEqual([r["ok"] for r in out["results"]], [False] * len(bad), out)


if __name__ == "__main__":
    unittest.main()
