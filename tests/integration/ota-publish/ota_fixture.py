"""Shared set-up for ota-publish's integration tests: a project directory, the eas STAND-IN
(eas_standin.py: EAS itself is not reachable from here) with its state and invocation log, and a
run() that calls the shipped binary as a GitHub step would."""
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "support"))
from yonima_test import ToolTest, run_tool, without_masks  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
STANDIN = os.path.join(HERE, "eas_standin.py")
FIXTURES = os.path.join(HERE, "fixtures")
PROJECT_ID = "3f1b8c2e-5d4a-4e6f-9a7b-1c2d3e4f5a6b"
TOKEN = "expo-robot-token-Zq8xW3vT9kL2mN7pR4sY"  # made up; must never be printed or put on a command line
EAS_CLI_ROOT = os.path.join(ROOT, "tests", "tools", "eas-cli", "node_modules", "eas-cli")


def group(message, runtime="1.0.0", embedded=False, platforms=("android", "ios")):
    return {"group": str(uuid.uuid4()), "runtimeVersion": runtime, "message": message, "platforms": list(platforms),
            "isRollBackToEmbedded": embedded, "createdAt": "2026-11-20T10:00:00.000Z", "copy_of": None,
            "ids": {p: str(uuid.uuid4()) for p in platforms}, "gitCommitHash": "1" * 40}


def state_with(*groups_newest_first, channel="production", branch="production", extra_branches=()):
    branches = {branch: {"id": str(uuid.uuid4()), "groups": list(groups_newest_first)}}
    for b in extra_branches:
        branches[b] = {"id": str(uuid.uuid4()), "groups": [group("on " + b)]}
    return {"runtime_version": "1.0.0", "faults": {},
            "channels": {channel: {"id": str(uuid.uuid4()), "branches": [branch], "rollout": None},
                         "preview": {"id": str(uuid.uuid4()), "branches": ["preview"], "rollout": None}},
            "branches": dict(branches, preview={"id": str(uuid.uuid4()), "groups": []})}


class OtaTest(ToolTest):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="ota-test-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.project = os.path.join(self.tmp, "app")
        os.makedirs(self.project)
        shutil.copy(os.path.join(FIXTURES, "eas-json", "good", "eas.json"), self.project)
        shutil.copy(os.path.join(FIXTURES, "eas-json", "good", "app.json"), self.project)
        self.state_file = os.path.join(self.tmp, "state.json")
        self.log_file = os.path.join(self.tmp, "calls.jsonl")
        # The stand-in is reached as an executable named eas, as the real one would be.
        self.bin = os.path.join(self.tmp, "bin")
        os.makedirs(self.bin)
        self.eas = os.path.join(self.bin, "eas")
        shutil.copy(STANDIN, self.eas)
        os.chmod(self.eas, os.stat(self.eas).st_mode | stat.S_IEXEC)
        self.set_state(state_with(group("1.4.1 hotfix"), group("1.4.0")))

    def set_state(self, state):
        with open(self.state_file, "w") as f:
            json.dump(state, f)

    def state(self):
        with open(self.state_file) as f:
            return json.load(f)

    def fault(self, command, **fault):
        s = self.state()
        s.setdefault("faults", {}).setdefault(command, []).append(fault)
        self.set_state(s)

    def calls(self):
        if not os.path.exists(self.log_file):
            return []
        with open(self.log_file) as f:
            return [json.loads(line) for line in f if line.strip()]

    @staticmethod
    def said(result):
        """Everything the step printed (in Actions, errors are annotations on stdout)."""
        return result.stdout + result.stderr

    def commands(self):
        return [c["argv"][0] for c in self.calls()]

    def run_ota(self, *args, env=None, token=True, timeout=60, **kw):
        e = {"OTA_STANDIN_STATE": self.state_file, "OTA_STANDIN_LOG": self.log_file, "INPUT_PROJECT-DIR": self.project,
             "PATH": self.bin + os.pathsep + os.environ.get("PATH", "/usr/bin:/bin")}
        if token:
            e["EXPO_TOKEN"] = TOKEN
        e.update(env or {})
        return run_tool("ota-publish", *args, env=e, timeout=timeout, **kw)

    def assertNoToken(self, result):
        # ::add-mask:: lines hand the token to the runner to mask: the one place it may appear.
        for where, text in (("stdout", without_masks(result.stdout)), ("stderr", without_masks(result.stderr)), ("summary", result.summary),
                            ("outputs", json.dumps(result.outputs))):
            self.assertNotIn(TOKEN, text, where)
        for call in self.calls():
            self.assertFalse(any(TOKEN in a for a in call["argv"]), call["argv"])


def eas_cli_available():
    return os.path.exists(os.path.join(EAS_CLI_ROOT, "package.json")) and shutil.which("node") is not None


def install_eas_cli():
    """Installs the pinned eas-cli (tests/tools/eas-cli/package-lock.json) when it is missing.
    Returns None when ready, else why not (a skip reason: under CI a skip is a failure)."""
    node = shutil.which("node")
    if not node:
        return "node is not installed: eas-cli 24.8.0 needs Node ^20.18.3 or >=22"
    version = subprocess.run([node, "--version"], capture_output=True, text=True).stdout.strip().lstrip("v")
    major, minor = (int(x) for x in (version.split(".") + ["0", "0"])[:2])
    if not ((major == 20 and minor >= 18) or major >= 22):
        return "eas-cli 24.8.0 needs Node ^20.18.3 or >=22, found %s (Debian 12's nodejs is 18)" % version
    if eas_cli_available():
        return None
    if not shutil.which("npm"):
        return "npm is not installed: cannot install the pinned eas-cli 24.8.0"
    r = subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts"], cwd=os.path.join(ROOT, "tests", "tools", "eas-cli"),
                       capture_output=True, text=True, timeout=600)
    if r.returncode != 0 or not eas_cli_available():
        return "npm ci of the pinned eas-cli failed: " + r.stderr[-1500:]
    return None


def skip_or_fail(test, reason):
    """On a developer's machine a missing tool is a visible skip; under CI (env CI set) it fails."""
    if os.environ.get("CI"):
        test.fail("required under CI: " + reason)
    test.skipTest(reason)
