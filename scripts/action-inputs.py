#!/usr/bin/env python3
"""Prints the `inputs:` block of actions/<tool>/action.yml from the tool's own option declaration
(`<tool> --describe-inputs`), so action.yml and the binary cannot drift. Usage:
  scripts/action-inputs.py build/bin/health-gate > /tmp/inputs.yml
  scripts/action-inputs.py --env build/bin/ota-publish     (a composite action's step `env:` block,
                                                           which hands each input on as INPUT_<NAME>)
`required` comes from the declaration too (`command` of multi-command tools, options declared
required); an option that only some commands need is checked by the tool, not by the runner.
tests/integration/actions/test_action_inputs.py checks every action.yml against the binaries."""
import json
import subprocess
import sys

def inputs(binary):
    return json.loads(subprocess.run([binary, "--describe-inputs"], capture_output=True, text=True, check=True).stdout)


def env_block(binary, indent="        "):
    """Composite actions get no INPUT_* variables from the runner: the step maps each one."""
    print(indent[:-2] + "env:")
    for i in inputs(binary):
        print("%sINPUT_%s: ${{ inputs.%s }}" % (indent, i["name"].upper().replace(" ", "_"), i["name"]))


def main():
    if sys.argv[1] == "--env":
        env_block(sys.argv[2])
        return
    print("inputs:")
    for i in inputs(sys.argv[1]):
        desc = i["description"] + (" (one per line)" if i["kind"] == "list" else "")
        print("  %s:" % i["name"])
        print("    description: %s" % json.dumps(desc))
        print("    required: %s" % ("true" if i["required"] else "false"))
        print("    default: %s" % json.dumps(i["default"]))


if __name__ == "__main__":
    main()
