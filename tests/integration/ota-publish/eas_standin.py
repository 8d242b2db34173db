#!/usr/bin/env python3
"""A STAND-IN for eas-cli 24.8 (EAS is not reachable from here): an executable that answers the
commands ota-publish runs with the JSON shapes eas-cli prints (read from eas-cli's sources:
utils/json.ts drops __typename and null fields; `update --json` prints getUpdateJsonInfosForUpdates;
`update:republish --json` prints eas's raw update objects; `channel:view --json` prints
{currentPage: channel with updateBranches}; `update:list --json` prints {name, id, currentPage};
`channel:rollout --json` prints {hasRollout, originalRolloutInfo, currentRolloutInfo}).

State (channels, branches, update groups) lives in the JSON file named by OTA_STANDIN_STATE and
changes as a real project would. Every invocation is appended to OTA_STANDIN_LOG (one JSON line:
argv, cwd, the EXPO_TOKEN it received, the environment's names) so tests can assert on what
ota-publish ran. Faults come from state["faults"][COMMAND] (a list: the first entry is used and
removed, or kept when it says "sticky": true):
  stray_before / stray_after  text printed on stdout around the JSON
  stdout                      printed instead of the JSON (garbage, partial documents)
  stderr                      printed on stderr
  exit                        exit code (after printing)
  hang                        sleep this many seconds first (the caller's timeout must stop us)
  skip_effect                 do not change the state (eas claims success, nothing happened)
  publish_extra               after the command, another "publisher" adds a group on this branch
  raw_before / raw_stderr     bytes (each character U+0000-U+00FF is one byte: NUL, invalid UTF-8)
                              written as they are, before the JSON / on stderr
  flood / flood_stderr        {"line": TEXT, "bytes": N}: TEXT repeated up to N bytes before the JSON
  echo_token                  the EXPO_TOKEN received is echoed on stdout, on stderr and in the JSON
"""
import datetime
import json
import os
import sys
import time
import uuid

STATE = os.environ.get("OTA_STANDIN_STATE")
LOG = os.environ.get("OTA_STANDIN_LOG")


def now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def load():
    with open(STATE) as f:
        return json.load(f)


def save(state):
    tmp = STATE + ".tmp"
    with open(tmp, "w") as f:
        json.dump(state, f, indent=1)
    os.replace(tmp, STATE)


def fail(message, code=1):
    sys.stderr.write("Error: " + message + "\n")
    sys.exit(code)


def parse(argv):
    """--name=value and --name value, flags, positionals (oclif's forms)."""
    flags, positionals, i = {}, [], 0
    booleans = {"json", "non-interactive", "auto", "skip-bundler", "clear-cache", "emit-metadata", "all"}
    while i < len(argv):
        a = argv[i]
        if a.startswith("--"):
            name, eq, value = a[2:].partition("=")
            if not eq and name not in booleans:
                i += 1
                value = argv[i] if i < len(argv) else fail("Flag --%s expects a value" % name, 2)
            flags[name] = value if (eq or name not in booleans) else True
        elif a in ("-m", "-p"):
            i += 1
            flags["message" if a == "-m" else "platform"] = argv[i]
        else:
            positionals.append(a)
        i += 1
    return flags, positionals


def branch_of_channel(state, channel):
    c = state["channels"].get(channel)
    if not c:
        fail('Could not find channel with the name %s' % channel)
    return c["branches"][0]


def platforms_of(flags):
    p = flags.get("platform", "all")
    if p not in ("all", "ios", "android"):
        fail("Expected --platform=%s to be one of: android, ios, all" % p, 2)
    return ["android", "ios"] if p == "all" else [p]


def new_group(state, branch, runtime, message, platforms, embedded=False, copy_of=None):
    g = {"group": str(uuid.uuid4()), "runtimeVersion": runtime, "message": message, "platforms": platforms,
         "isRollBackToEmbedded": embedded, "createdAt": now(), "copy_of": copy_of,
         "ids": {p: str(uuid.uuid4()) for p in platforms}, "gitCommitHash": "4f1e0c2d9a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d"}
    state["branches"][branch]["groups"].insert(0, g)
    return g


def raw_update(state, branch, g, platform):
    """eas's Update fragment, as republish prints it (nulls dropped)."""
    b = state["branches"][branch]
    u = {"id": g["ids"][platform], "group": g["group"], "message": g["message"], "createdAt": g["createdAt"],
         "runtime": {"id": "rt-" + g["runtimeVersion"], "version": g["runtimeVersion"]}, "platform": platform,
         "manifestFragment": "{}", "isRollBackToEmbedded": g["isRollBackToEmbedded"],
         "manifestPermalink": "https://u.expo.dev/update/" + g["ids"][platform],
         "gitCommitHash": g["gitCommitHash"], "isGitWorkingTreeDirty": False,
         "actor": {"id": "actor-1", "username": "ci-robot"}, "branch": {"id": b["id"], "name": branch}}
    if g.get("rolloutPercentage"):
        u["rolloutPercentage"] = g["rolloutPercentage"]
    return u


def json_info(state, branch, g, platform):
    """getUpdateJsonInfosForUpdates (update, roll-back-to-embedded)."""
    return {"id": g["ids"][platform], "createdAt": g["createdAt"], "group": g["group"], "branch": branch,
            "message": g["message"], "runtimeVersion": g["runtimeVersion"], "platform": platform,
            "manifestPermalink": "https://u.expo.dev/update/" + g["ids"][platform],
            "isRollBackToEmbedded": g["isRollBackToEmbedded"], "gitCommitHash": g["gitCommitHash"]}


def description(branch, g):
    d = {"branch": branch, "message": '"%s" (%s by ci-robot)' % (g["message"], "1 minute ago"),
         "runtimeVersion": g["runtimeVersion"], "isRollBackToEmbedded": g["isRollBackToEmbedded"],
         "group": g["group"], "platforms": ", ".join(sorted(g["platforms"]))}
    if g.get("rolloutPercentage"):
        d["rolloutPercentage"] = g["rolloutPercentage"]
    return d


def branch_mapping(state, channel):
    c = state["channels"][channel]
    data = [{"branchId": state["branches"][b]["id"], "branchMappingLogic": "true"} for b in c["branches"]]
    if c.get("rollout"):
        r = c["rollout"]
        data[0]["branchMappingLogic"] = {"operand": r["percent"] / 100, "clientKey": "rolloutToken",
                                         "branchMappingOperator": "hash_lt"}
    return json.dumps({"version": 0, "data": data})


def rollout_info(state, channel):
    c = state["channels"][channel]
    r = c.get("rollout")
    if not r:
        return None
    return {"defaultBranch": {"id": state["branches"][c["branches"][1]]["id"], "name": c["branches"][1]},
            "rolledOutBranch": {"id": state["branches"][c["branches"][0]]["id"], "name": c["branches"][0]},
            "percentRolledOut": r["percent"], "runtimeVersion": r["runtime"], "updatedAt": now()}


def run(command, flags, positionals, state, fault):
    if command == "update":
        if "channel" in flags and "branch" in flags:
            fail("--branch and --channel are mutually exclusive", 2)
        if not flags.get("message") and not flags.get("auto"):
            fail("--message is required in non-interactive mode")
        if flags["channel"] not in state["channels"] and not fault.get("skip_effect"):
            # As eas-cli 24.8 (getBranchFromChannelNameAndCreateAndLinkIfNotExistsAsync): a channel
            # that does not exist is created, with a branch of the same name.
            name = flags["channel"]
            state["branches"].setdefault(name, {"id": str(uuid.uuid4()), "groups": []})
            state["channels"][name] = {"id": str(uuid.uuid4()), "branches": [name], "rollout": None}
        branch = branch_of_channel(state, flags["channel"])
        runtime = state.get("runtime_version", "1.0.0")
        sys.stderr.write("Exported bundle(s)\nUploading 2 bundles\n")
        if fault.get("skip_effect"):
            g = {"group": str(uuid.uuid4()), "runtimeVersion": runtime, "message": flags["message"],
                 "platforms": platforms_of(flags), "isRollBackToEmbedded": False, "createdAt": now(),
                 "ids": {p: str(uuid.uuid4()) for p in platforms_of(flags)}, "gitCommitHash": "0" * 40}
        else:
            g = new_group(state, branch, runtime, flags["message"], platforms_of(flags))
            if flags.get("rollout-percentage"):
                g["rolloutPercentage"] = int(flags["rollout-percentage"])
        return [json_info(state, branch, g, p) for p in g["platforms"]]
    if command == "channel:view":
        channel = positionals[0] if positionals else fail("A channel name is required to view a specific channel.")
        c = state["channels"].get(channel) or fail("Could not find a channel with name: %s" % channel)
        branches = []
        for b in c["branches"]:
            groups = state["branches"][b]["groups"]
            latest = [[raw_update(state, b, groups[0], p) for p in groups[0]["platforms"]]] if groups else []
            branches.append({"id": state["branches"][b]["id"], "name": b, "updateGroups": latest})
        return {"currentPage": {"id": c["id"], "name": channel, "branchMapping": branch_mapping(state, channel),
                                "isPaused": False, "updatedAt": now(), "updateBranches": branches}}
    if command == "update:list":
        branch = flags.get("branch") or fail("--branch or --all is required in non-interactive mode")
        b = state["branches"].get(branch) or fail("Could not find branch %s" % branch)
        groups = [g for g in b["groups"] if g["runtimeVersion"] == flags.get("runtime-version", g["runtimeVersion"])]
        limit = int(flags.get("limit", 25))
        return {"name": branch, "id": b["id"], "currentPage": [description(branch, g) for g in groups[:limit]]}
    if command == "update:republish":
        if not flags.get("group"):
            fail("Only --group can be used in non-interactive mode")
        source = None
        for bname, b in state["branches"].items():
            for g in b["groups"]:
                if g["group"] == flags["group"]:
                    source = (bname, g)
        if not source:
            fail("Could not find update group %s" % flags["group"])
        dest = branch_of_channel(state, flags["destination-channel"]) if flags.get("destination-channel") else source[0]
        platforms = [p for p in source[1]["platforms"] if p in platforms_of(flags)]
        if fault.get("skip_effect"):
            g = dict(source[1], group=str(uuid.uuid4()))
        else:
            g = new_group(state, dest, source[1]["runtimeVersion"], flags.get("message") or fail("--message required"),
                          platforms, source[1]["isRollBackToEmbedded"], copy_of=source[1]["group"])
        return [raw_update(state, dest, g, p) for p in platforms]
    if command == "update:roll-back-to-embedded":
        for required in ("message", "runtime-version"):
            if not flags.get(required):
                fail("--%s is required in non-interactive mode" % required)
        branch = branch_of_channel(state, flags["channel"])
        g = new_group(state, branch, flags["runtime-version"], flags["message"], platforms_of(flags), embedded=True)
        return [json_info(state, branch, g, p) for p in g["platforms"]]
    if command == "update:edit":
        gid = positionals[0] if positionals else fail("GROUPID is required in non-interactive mode")
        for bname, b in state["branches"].items():
            for g in b["groups"]:
                if g["group"] == gid:
                    if not g.get("rolloutPercentage"):
                        fail("Cannot edit rollout percentage on update group that is not a rollout.")
                    pct = int(flags.get("rollout-percentage") or fail("Must specify --rollout-percentage in non-interactive mode"))
                    if pct < g["rolloutPercentage"]:
                        fail("Rollout percentage must be greater than previous rollout percentage (%d)" % g["rolloutPercentage"])
                    if not fault.get("skip_effect"):
                        g["rolloutPercentage"] = pct
                    return [json_info(state, bname, g, p) for p in g["platforms"]]
        fail("Could not find update group %s" % gid)
    if command == "update:revert-update-rollout":
        gid = flags.get("group") or fail("--group is required in non-interactive mode")
        for bname, b in state["branches"].items():
            for i, g in enumerate(b["groups"]):
                if g["group"] == gid:
                    if not g.get("rolloutPercentage"):
                        fail('The update group with ID "%s" is not a rollout update group.' % gid)
                    control = b["groups"][i + 1] if i + 1 < len(b["groups"]) else fail("no control update")
                    if not fault.get("skip_effect"):
                        del b["groups"][i]
                    copy = new_group(state, bname, control["runtimeVersion"], flags.get("message") or fail("--message required"),
                                     control["platforms"], copy_of=control["group"])
                    return [raw_update(state, bname, copy, p) for p in copy["platforms"]]
        fail("Could not find update group %s" % gid)
    if command == "channel:rollout":
        channel = positionals[0] if positionals else fail("The channel argument is required in non-interactive mode.")
        c = state["channels"].get(channel) or fail("Could not find channel %s" % channel)
        action = flags.get("action") or fail("--action is required in non-interactive mode.")
        before = rollout_info(state, channel)
        if action == "create":
            if before:
                fail("A rollout is already in progress for channel %s" % channel)
            for f in ("percent", "branch", "runtime-version"):
                if f not in flags:
                    fail("--%s is required for a new rollout in non-interactive mode." % f)
            if flags["branch"] not in state["branches"]:
                fail("Could not find branch %s" % flags["branch"])
            c["branches"].insert(0, flags["branch"])
            c["rollout"] = {"percent": int(flags["percent"]), "runtime": flags["runtime-version"]}
        elif action == "edit":
            if not before:
                fail("There is no rollout in progress on channel %s" % channel)
            c["rollout"]["percent"] = int(flags.get("percent") or fail("--percent is required"))
        elif action == "end":
            if not before:
                fail("There is no rollout in progress on channel %s" % channel)
            outcome = flags.get("outcome") or fail("--outcome is required in non-interactive mode.")
            rolled, default = c["branches"][0], c["branches"][1]
            if outcome == "republish-and-revert":
                g = state["branches"][rolled]["groups"][0]
                new_group(state, default, g["runtimeVersion"], g["message"], g["platforms"], copy_of=g["group"])
            c["branches"] = [default]
            c["rollout"] = None
        if fault.get("skip_effect"):
            state = load()
        after = rollout_info(state, channel)
        out = {"hasRollout": after is not None}
        if before:
            out["originalRolloutInfo"] = before
        if after:
            out["currentRolloutInfo"] = after
        return out, state
    fail("command %s not found" % command, 127)


def main():
    argv = sys.argv[1:]
    if LOG:
        with open(LOG, "a") as f:
            f.write(json.dumps({"argv": argv, "cwd": os.getcwd(), "expo_token": os.environ.get("EXPO_TOKEN"),
                                "env_names": sorted(os.environ)}) + "\n")
    if not argv:
        fail("no command", 2)
    if argv == ["--version"]:
        print("eas-cli/24.8.0 linux-x64 node-v20.0.0 (stand-in)")
        return
    command = argv[0]
    flags, positionals = parse(argv[1:])
    state = load()
    faults = state.get("faults", {}).get(command, [])
    fault = faults[0] if faults else {}
    if faults and not fault.get("sticky"):
        faults.pop(0)
        save(state)
    if fault.get("hang"):
        time.sleep(float(fault["hang"]))
    result = run(command, flags, positionals, state, fault)
    if isinstance(result, tuple):
        result, state = result
    if fault.get("publish_extra"):
        # Someone else publishes on the branch right after us (a race the verification must catch).
        branch = fault["publish_extra"]
        new_group(state, branch, state.get("runtime_version", "1.0.0"), "someone else's update", ["android", "ios"])
    save(state)
    token = os.environ.get("EXPO_TOKEN", "")
    if fault.get("echo_token"):
        sys.stdout.write("debug: using token %s\n" % token)
        sys.stderr.write("Error: token %s was used\n" % token)
        if isinstance(result, list):
            for u in result:
                u["message"] = "token %s" % token
        elif isinstance(result, dict) and isinstance(result.get("currentPage"), list):
            for g in result["currentPage"]:
                g["message"] = "token %s" % token
    sys.stdout.flush()
    for key, stream in (("flood", sys.stdout), ("flood_stderr", sys.stderr)):
        if fault.get(key):
            line, size = fault[key]["line"].encode("latin-1"), int(fault[key]["bytes"])
            stream.flush()
            stream.buffer.write(line * (size // len(line)))
            stream.buffer.flush()
    if fault.get("raw_stderr"):
        sys.stderr.flush()
        sys.stderr.buffer.write(fault["raw_stderr"].encode("latin-1"))
        sys.stderr.buffer.flush()
    if fault.get("raw_before"):
        sys.stdout.flush()
        sys.stdout.buffer.write(fault["raw_before"].encode("latin-1"))
        sys.stdout.buffer.flush()
    if fault.get("stderr"):
        sys.stderr.write(fault["stderr"])
    if fault.get("stray_before"):
        sys.stdout.write(fault["stray_before"])
    if "stdout" in fault:
        sys.stdout.write(fault["stdout"])
    elif "--json" in argv:
        sys.stdout.write(json.dumps(result, indent=2) + "\n")
    if fault.get("stray_after"):
        sys.stdout.write(fault["stray_after"])
    sys.stdout.flush()
    sys.exit(int(fault.get("exit", 0)))


if __name__ == "__main__":
    main()
