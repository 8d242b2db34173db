#!/usr/bin/env python3
"""Writes docs/actions.md: every action's `uses:` line, image, inputs and outputs, generated from the
action.yml files (themselves generated from the tools' option declarations), so the reference
cannot drift. `scripts/actions-reference.py > docs/actions.md`; tests/integration/actions/
test_release.py checks the file is current."""
import glob
import os
import re

import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))


def cell(text):
    return re.sub(r"\s+", " ", str(text)).replace("|", "\\|").strip()


def main():
    with open(os.path.join(ROOT, "CMakeLists.txt")) as f:
        version = re.search(r"project\(yonima-deploy VERSION ([0-9.]+)", f.read()).group(1)
    paths = [os.path.join(ROOT, "action.yml")] + sorted(glob.glob(os.path.join(ROOT, "actions", "*", "action.yml")))
    out = ["# Actions reference", "",
           "Generated from the `action.yml` files by `scripts/actions-reference.py` (do not edit; the action.yml",
           "inputs are generated from each tool's option declaration). Every input can also be given to the",
           "binary as `INPUT_<NAME>` in its environment, and most as a flag `--<name>`. Not `command` and the",
           "positional inputs (`image`, `source`, `destination`, `repository`): those are words on the command",
           "line (`image-promote copy SRC DST`). Nor the secrets `password` and `expo-token`, refused as flags",
           "(argv is readable by every process): they come from the environment (`INPUT_PASSWORD` or",
           "`REGISTRY_PASSWORD`, `INPUT_EXPO-TOKEN` or `EXPO_TOKEN`) or, for the password, standard input",
           "(`--password-stdin`). Exit codes are the same for every tool: 0 success, 1 the check said no, 2 bad",
           "input (nothing changed), 3 environment or remote error (nothing changed), 4 failed part-way (a human",
           "is needed), 128+N killed by signal N while no child process ran.", ""]
    for path in paths:
        a = yaml.safe_load(open(path))
        rel = os.path.relpath(os.path.dirname(path), ROOT)
        uses = "yonima/yonima-deploy%s@v%s" % ("" if rel == "." else "/" + rel, version)
        runs = a["runs"]
        how = runs.get("image", "").replace("docker://", "") if runs["using"] == "docker" else "composite (%s)" % cell(
            "steps on the runner")
        out += ["## `%s`" % uses, "", cell(a.get("description", "")), "", "Runs: `%s`" % how if runs["using"] == "docker"
                else "Runs: " + how, "", "| input | required | default | description |", "|---|---|---|---|"]
        for name, spec in (a.get("inputs") or {}).items():
            spec = spec or {}
            default = spec.get("default", "")
            out.append("| `%s` | %s | %s | %s |" % (name, "yes" if spec.get("required") else "", "`%s`" % cell(default)
                                                    if default not in ("", None) else "", cell(spec.get("description", ""))))
        out += ["", "| output | description |", "|---|---|"]
        for name, spec in (a.get("outputs") or {}).items():
            out.append("| `%s` | %s |" % (name, cell((spec or {}).get("description", ""))))
        out.append("")
    print("\n".join(out).rstrip("\n"))


if __name__ == "__main__":
    main()
