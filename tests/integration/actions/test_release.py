"""Releases that resolve on first use: every action names its image by the release version (one
place: CMakeLists.txt, scripts/release-version.py), release.yml publishes exactly those images for
linux/amd64 and linux/arm64 with OCI labels, the root action.yml (umbrella) is generated from the
tools' declarations, and the umbrella binary (tools/yonima-deploy, the umbrella image's entrypoint)
runs the named tool."""
import glob
import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest

import yaml

from workflow_runner import WorkflowRunner
from yonima_test import BIN, HttpService

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
RELEASE = os.path.join(ROOT, ".github", "workflows", "release.yml")


def release_version(*args):
    return subprocess.run(["python3", os.path.join(ROOT, "scripts", "release-version.py"), *args], capture_output=True,
                          text=True)


VERSION = release_version("show").stdout.strip()


def declared_tools():
    """The folders under tools/ whose CMakeLists.txt calls yonima_tool() (the one tool list)."""
    tools = []
    for cmake in sorted(glob.glob(os.path.join(ROOT, "tools", "*", "CMakeLists.txt"))):
        with open(cmake) as f:
            if re.search(r"^\s*yonima_tool\(", f.read(), re.M):
                tools.append(os.path.basename(os.path.dirname(cmake)))
    return tools


def load(path):
    with open(path) as f:
        return yaml.safe_load(f)


class ReleaseTest(unittest.TestCase):
    def images_named_by_actions(self):
        """{image: version tag} for every image an action runs."""
        out = {}
        for path in sorted(glob.glob(os.path.join(ROOT, "actions", "*", "action.yml"))) + [os.path.join(ROOT, "action.yml")]:
            runs = load(path)["runs"]
            if runs["using"] == "docker":
                m = re.fullmatch(r"docker://ghcr\.io/yonima/([a-z-]+):(\S+)", runs["image"])
                self.assertTrue(m, "%s: image %s" % (path, runs["image"]))
                out[m.group(1)] = m.group(2)
        with open(os.path.join(ROOT, "actions", "ota-publish", "run.sh")) as f:
            m = re.search(r"image=\$\{OTA_PUBLISH_IMAGE:-ghcr\.io/yonima/(ota-publish):(\S+?)\}", f.read())
        self.assertTrue(m, "actions/ota-publish/run.sh names its image")
        out[m.group(1)] = m.group(2)
        return out

    def test_actions_name_the_release_version_not_a_moving_tag(self):
        self.assertRegex(VERSION, r"^\d+\.\d+\.\d+$")
        images = self.images_named_by_actions()
        self.assertIn("yonima-deploy", images)
        for image, tag in images.items():
            self.assertEqual(tag, "v" + VERSION, image)
        self.assertEqual(release_version("check", "v" + VERSION).returncode, 0, release_version("check", "v" + VERSION).stdout)
        wrong = release_version("check", "v99.0.0")
        self.assertEqual(wrong.returncode, 1)
        self.assertIn("::error::release-version: the tag v99.0.0 is not v%s" % VERSION, wrong.stdout)

    def test_workflows_use_our_actions_at_the_release_version(self):
        for path in glob.glob(os.path.join(ROOT, "workflows", "*.yml")):
            with open(path) as f:
                for uses in re.findall(r"uses: (yonima/yonima-deploy\S*)", f.read()):
                    self.assertTrue(uses.endswith("@v" + VERSION), "%s: %s" % (path, uses))

    def test_release_publishes_every_image_an_action_runs(self):
        wf = load(RELEASE)
        self.assertEqual(wf[True]["push"]["tags"], ["v*.*.*"])
        jobs = wf["jobs"]
        check = "\n".join(s.get("run", "") for s in jobs["check"]["steps"])
        self.assertIn("scripts/release-version.py check", check)
        self.assertIn("scripts/release-version.py images", check)
        for job in ("image", "publish"):
            self.assertEqual(jobs[job]["strategy"]["matrix"]["image"], "${{ fromJSON(needs.check.outputs.images) }}")
        published = set(json.loads(release_version("images").stdout))
        named = set(self.images_named_by_actions())
        self.assertEqual(named, published, "images the actions run vs images release.yml publishes")
        tools = {os.path.basename(os.path.dirname(p)) for p in glob.glob(os.path.join(ROOT, "actions", "*", "action.yml"))}
        self.assertEqual(published, tools | {"yonima-deploy"})
        platforms = {p["name"] for p in jobs["image"]["strategy"]["matrix"]["platform"]}
        self.assertEqual(platforms, {"linux/amd64", "linux/arm64"})
        [build] = [s for s in jobs["image"]["steps"] if s.get("id") == "build"]
        for label in ("org.opencontainers.image.source=", "org.opencontainers.image.version=",
                      "org.opencontainers.image.revision="):
            self.assertIn(label, build["with"]["labels"])
        self.assertIn("push=true", build["with"]["outputs"])
        publish = "\n".join(s.get("run", "") for s in jobs["publish"]["steps"])
        # The tag the actions name (vX.Y.Z, the check job proved it equals the version) and vX.
        self.assertIn('tags=(-t "$repository:v$VERSION")', publish)
        self.assertIn('tags+=(-t "$repository:$MAJOR")', publish)
        self.assertIn("not public", publish)
        major = "\n".join(s.get("run", "") for s in jobs["major"]["steps"])
        self.assertIn('git push -f origin "refs/tags/$MAJOR"', major)

    def test_umbrella_action_is_generated_from_the_tools(self):
        out = subprocess.run(["python3", os.path.join(ROOT, "scripts", "umbrella-action.py"), BIN], capture_output=True,
                             text=True, check=True).stdout
        with open(os.path.join(ROOT, "action.yml")) as f:
            self.assertEqual(f.read(), out, "regenerate: scripts/umbrella-action.py build/bin > action.yml")
        action = yaml.safe_load(out)
        self.assertTrue(action["inputs"]["tool"]["required"])
        for name, spec in action["inputs"].items():
            if name != "tool":
                self.assertEqual(spec["default"], "", name)  # each tool applies its own default
                self.assertFalse(spec["required"], name)
        for tool in ("health-gate", "image-promote", "migrate-guard", "ota-publish"):
            self.assertIn(tool, action["inputs"]["tool"]["description"])

    def test_actions_reference_is_generated_from_the_action_files(self):
        out = subprocess.run(["python3", os.path.join(ROOT, "scripts", "actions-reference.py")], capture_output=True,
                             text=True, check=True).stdout
        with open(os.path.join(ROOT, "docs", "actions.md")) as f:
            self.assertEqual(f.read(), out, "regenerate: scripts/actions-reference.py > docs/actions.md")
        for path in glob.glob(os.path.join(ROOT, "actions", "*", "action.yml")):
            tool = os.path.basename(os.path.dirname(path))
            self.assertIn("## `yonima/yonima-deploy/actions/%s@v%s`" % (tool, VERSION), out)
            for name in load(path)["inputs"]:
                self.assertIn("| `%s` |" % name, out)

    def test_the_major_tag_follows_only_the_newest_release_of_its_line(self):
        script = os.path.join(ROOT, "scripts", "release-version.py")

        def moves(tag, *tags):
            return subprocess.run(["python3", script, "moves-major", tag, *tags], capture_output=True, text=True,
                                  check=True).stdout.strip()

        self.assertEqual(moves("v1.4.0", "v1.3.1", "v1.4.0", "v2.0.0"), "true")
        self.assertEqual(moves("v1.3.2", "v1.3.1", "v1.3.2", "v1.4.0"), "false")  # a patch to an older line
        self.assertEqual(moves("v1.10.0", "v1.9.0", "v1.10.0"), "true")          # numbers, not text
        self.assertEqual(moves("v0.1.0", "v0.1.0"), "true")
        with open(os.path.join(ROOT, ".github", "workflows", "release.yml")) as f:
            wf = yaml.safe_load(f)
        self.assertEqual(wf["jobs"]["major"]["if"], "needs.check.outputs.moves-major == 'true'")

    def test_umbrella_binary_runs_the_named_tool(self):
        exe = os.path.join(BIN, "yonima-deploy")
        env = {"PATH": "/usr/bin:/bin"}
        for tool in declared_tools():
            r = subprocess.run([exe, tool, "--version"], env=env, capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertTrue(r.stdout.startswith(tool + " "), r.stdout)
        # As the root action runs it: no arguments, the tool from INPUT_TOOL (trimmed), its inputs from INPUT_*.
        r = subprocess.run([exe], env=dict(env, INPUT_TOOL=" health-gate\n"), capture_output=True, text=True)
        self.assertEqual(r.returncode, 2)
        self.assertIn("missing --url (or INPUT_URL)", r.stderr)
        # As a link named for the tool (the image has /usr/local/bin/<tool> -> yonima-deploy).
        tmp = tempfile.mkdtemp(prefix="yonima-umbrella-link-")
        self.addCleanup(shutil.rmtree, tmp, True)
        os.symlink(exe, os.path.join(tmp, "pitr-restore"))
        r = subprocess.run([os.path.join(tmp, "pitr-restore"), "--version"], env=env, capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(r.stdout.startswith("pitr-restore "), r.stdout)
        for bad, message in (("nope", "'nope' is not a tool"), ("../health-gate", "is not a tool"),
                             ("helth-gate", "did you mean health-gate?"), ("entrypoint", "is not a tool"),
                             ("::add-mask::x\nnext", "add-mask::x\\nnext")):
            r = subprocess.run([exe, bad], env=env, capture_output=True, text=True)
            self.assertEqual(r.returncode, 2, bad)
            self.assertIn(message, r.stderr)
            self.assertEqual(len(r.stderr.strip().split("\n")), 1, r.stderr)
            self.assertFalse(r.stderr.startswith("::"), r.stderr)
        r = subprocess.run([exe], env=env, capture_output=True, text=True)
        self.assertEqual(r.returncode, 2)
        self.assertIn("name the tool", r.stderr)
        r = subprocess.run([exe, "--help"], env=env, capture_output=True, text=True)
        self.assertEqual(r.returncode, 0)
        for tool in declared_tools():
            self.assertIn(tool, r.stdout)

    def test_umbrella_action_in_a_workflow(self):
        """`uses: yonima/yonima-deploy@vX.Y.Z` with `tool:` runs that tool with its inputs."""
        service = HttpService({"/health": [{"status": 200, "json": {"status": "ok", "version": "2.0.0"}}]})
        self.addCleanup(service.stop)
        tmp = tempfile.mkdtemp(prefix="yonima-umbrella-")
        self.addCleanup(shutil.rmtree, tmp, True)
        wf = os.path.join(tmp, "wf.yml")
        with open(wf, "w") as f:
            yaml.safe_dump({"on": {"workflow_call": {}}, "jobs": {"gate": {"runs-on": "ubuntu-latest", "steps": [
                {"id": "hg", "uses": "yonima/yonima-deploy@v" + VERSION,
                 "with": {"tool": "health-gate", "url": service.url(), "expect-version": "2.0.0", "interval": "100ms"}},
                {"id": "wrong", "if": "always()", "uses": "yonima/yonima-deploy@v" + VERSION,
                 "with": {"tool": "health-gate", "url": service.url(), "expect-version": "3.0.0", "interval": "100ms",
                          "timeout": "1s"}}]}}}, f)
        runner = WorkflowRunner(wf, tmp)
        self.addCleanup(runner.close)
        job = runner.run()["gate"]
        self.assertEqual(job.step("hg").outcome, "success", job.step("hg").log)
        self.assertEqual(job.step("hg").outputs["served-version"], "2.0.0")
        self.assertEqual(job.step("wrong").outcome, "failure")
        self.assertEqual(job.step("wrong").outputs["healthy"], "false")


if __name__ == "__main__":
    unittest.main()
