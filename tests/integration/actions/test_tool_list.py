"""The list of tools lives in one place: the folders under tools/ whose CMakeLists.txt calls
yonima_tool(). CMake derives the build, the unit tests and the static check from it; this test
holds everything that cannot be derived (binaries, actions, images, release, README, docs) to it,
so adding a tool that forgets one of them fails here with the file to fix."""
import glob
import os
import re
import subprocess
import unittest

import yaml

from yonima_test import BIN

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))


def declared_tools():
    tools = set()
    for cmake in glob.glob(os.path.join(ROOT, "tools", "*", "CMakeLists.txt")):
        with open(cmake) as f:
            m = re.search(r"^\s*yonima_tool\(([\w-]+)\)", f.read(), re.M)
        if m:
            folder = os.path.basename(os.path.dirname(cmake))
            assert m.group(1) == folder, "%s declares tool %s, folder is %s" % (cmake, m.group(1), folder)
            tools.add(folder)
    return tools


def release_tools():
    """The tools release.yml publishes: a literal matrix list, or a list derived from the tool folders."""
    with open(os.path.join(ROOT, ".github", "workflows", "release.yml")) as f:
        text = f.read()
    if "yonima_tool(" in text or "tools/*/CMakeLists.txt" in text:
        return declared_tools()  # derived at run time from the same declaration
    release = yaml.safe_load(text)
    found = set()
    for job in release["jobs"].values():
        matrix = (job.get("strategy") or {}).get("matrix") or {}
        for tool in matrix.get("tool", []) or []:
            found.add(tool)
    return found


class ToolListTest(unittest.TestCase):
    def setUp(self):
        self.tools = declared_tools()

    def test_at_least_the_first_three(self):
        self.assertTrue({"health-gate", "image-promote", "migrate-guard"} <= self.tools, self.tools)

    def test_every_tool_has_a_binary_an_action_docs_and_a_container_test(self):
        for tool in sorted(self.tools):
            with self.subTest(tool=tool):
                self.assertTrue(os.path.exists(os.path.join(BIN, tool)), "no binary %s/%s" % (BIN, tool))
                self.assertTrue(os.path.exists(os.path.join(ROOT, "tools", tool, "main.cpp")), "tools/%s/main.cpp" % tool)
                self.assertTrue(os.path.exists(os.path.join(ROOT, "actions", tool, "action.yml")),
                                "actions/%s/action.yml is missing" % tool)
                self.assertTrue(os.path.exists(os.path.join(ROOT, "docs", tool + ".md")), "docs/%s.md is missing" % tool)
                tests = glob.glob(os.path.join(ROOT, "tests", "container", "test_%s_image.sh" % tool.replace("-", "_")))
                self.assertTrue(tests, "tests/container/test_%s_image.sh is missing" % tool.replace("-", "_"))
                self.assertTrue(glob.glob(os.path.join(ROOT, "tests", "integration", tool, "test_*.py")),
                                "tests/integration/%s has no test" % tool)

    def test_no_action_without_a_tool(self):
        actions = {os.path.basename(os.path.dirname(p)) for p in glob.glob(os.path.join(ROOT, "actions", "*", "action.yml"))}
        self.assertEqual(actions - self.tools, set())

    def test_release_publishes_every_tool(self):
        self.assertEqual(release_tools(), self.tools)

    def test_readme_table_names_every_tool(self):
        with open(os.path.join(ROOT, "README.md")) as f:
            rows = re.findall(r"^\| `([\w-]+)` \|", f.read(), re.M)
        self.assertEqual(set(rows), self.tools, "README.md's tool table")

    def test_image_size_bench_measures_every_tool(self):
        # bench/images/image-size.sh keeps the size goal of every image (docs/images.md).
        out = subprocess.run(["bash", os.path.join(ROOT, "bench", "images", "image-size.sh"), "--list"],
                             capture_output=True, text=True, check=True).stdout
        self.assertEqual(sorted(out.split()), sorted(self.tools), "bench/images/image-size.sh --list")


if __name__ == "__main__":
    unittest.main()
