#!/usr/bin/env python3
"""The release version, kept in one place (CMakeLists.txt `project(... VERSION X.Y.Z)`) and named
by every action: each actions/<tool>/action.yml and the root action.yml run
`docker://ghcr.io/yonima/<image>:vX.Y.Z` (never the moving `:vX`), so pinning an action to a commit
pins the image too; the composite ota-publish action takes its binary from the same version; and
the reusable workflows use `yonima/yonima-deploy/actions/<tool>@vX.Y.Z`, so pinning a workflow
pins the actions it runs.
  scripts/release-version.py show             print X.Y.Z
  scripts/release-version.py set X.Y.Z        rewrite the version everywhere (commit, then tag vX.Y.Z)
  scripts/release-version.py check vX.Y.Z     exit 1 unless the tag and every reference agree
  scripts/release-version.py images           the images a release publishes, as a JSON list: every
                                              tool (tools/*/CMakeLists.txt calling yonima_tool(),
                                              the one tool list) and the umbrella yonima-deploy
  scripts/release-version.py moves-major vX.Y.Z [TAG...]
                                              true when vX.Y.Z is the newest vX.* release among the
                                              git tags (or the TAGs given): only then do the moving
                                              vX tag and image follow it (a patch to an older line,
                                              v1.3.2 after v1.4.0, leaves v1 where it is)
release.yml runs `check` and `images` before it builds anything."""
import glob
import json
import os
import re
import subprocess
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
CMAKE = os.path.join(ROOT, "CMakeLists.txt")
PROJECT = re.compile(r"(project\(yonima-deploy VERSION )([0-9]+\.[0-9]+\.[0-9]+)")
IMAGE = re.compile(r"(image: docker://ghcr\.io/yonima/)([a-z-]+):(v[^\s\"']+)")
OTA_RUN = os.path.join(ROOT, "actions", "ota-publish", "run.sh")
USES = re.compile(r"(uses: yonima/yonima-deploy(?:/actions/[a-z-]+)?)@(v[0-9][0-9A-Za-z.]*)")
OTA_IMAGE = re.compile(r"(ghcr\.io/yonima/ota-publish):(v[0-9][0-9A-Za-z.]*)")


def workflow_files():
    return sorted(glob.glob(os.path.join(ROOT, "workflows", "*.yml")) +
                  glob.glob(os.path.join(ROOT, ".github", "workflows", "*.yml")))


def action_files():
    return sorted(glob.glob(os.path.join(ROOT, "actions", "*", "action.yml"))) + [os.path.join(ROOT, "action.yml")]


def read(path):
    with open(path) as f:
        return f.read()


def version():
    return PROJECT.search(read(CMAKE)).group(2)


def references():
    """(file, image, tag) for every image reference the actions make."""
    out = []
    for path in action_files():
        if os.path.exists(path):
            for m in IMAGE.finditer(read(path)):
                out.append((os.path.relpath(path, ROOT), m.group(2), m.group(3)))
    if os.path.exists(OTA_RUN):
        for m in OTA_IMAGE.finditer(read(OTA_RUN)):
            out.append((os.path.relpath(OTA_RUN, ROOT), "ota-publish", m.group(2)))
    for path in workflow_files():
        for m in USES.finditer(read(path)):
            out.append((os.path.relpath(path, ROOT), m.group(1)[len("uses: "):], m.group(2)))
    return out


def set_version(new):
    if not re.fullmatch(r"[0-9]+\.[0-9]+\.[0-9]+", new):
        sys.exit("release-version: '%s' is not X.Y.Z" % new)
    text = read(CMAKE)
    with open(CMAKE, "w") as f:
        f.write(PROJECT.sub(lambda m: m.group(1) + new, text, count=1))
    for path in action_files() + [OTA_RUN] + workflow_files():
        if os.path.exists(path):
            text = read(path)
            text = IMAGE.sub(lambda m: "%s%s:v%s" % (m.group(1), m.group(2), new), text)
            text = OTA_IMAGE.sub(lambda m: "%s:v%s" % (m.group(1), new), text)
            text = USES.sub(lambda m: "%s@v%s" % (m.group(1), new), text)
            with open(path, "w") as f:
                f.write(text)


def check(tag):
    v = version()
    problems = []
    if tag != "v" + v:
        problems.append("the tag %s is not v%s (CMakeLists.txt): run scripts/release-version.py set X.Y.Z, commit, "
                        "then tag" % (tag, v))
    for path, image, ref in references():
        if ref != "v" + v:
            problems.append("%s names %s %s, not v%s" % (path, image, ref, v))
    for p in problems:
        print("::error::release-version: %s" % p)
    return 1 if problems else 0


def moves_major(tag, tags):
    release = re.compile(r"v([0-9]+)\.([0-9]+)\.([0-9]+)")
    m = release.fullmatch(tag)
    if not m:
        return False
    line = [tuple(map(int, r.groups())) for r in map(release.fullmatch, tags) if r and r.group(1) == m.group(1)]
    return tuple(map(int, m.groups())) >= max(line, default=(0, 0, 0))


def tools():
    out = []
    for cmake in sorted(glob.glob(os.path.join(ROOT, "tools", "*", "CMakeLists.txt"))):
        m = re.search(r"^\s*yonima_tool\(([\w-]+)\)", read(cmake), re.M)
        if m:
            out.append(m.group(1))
    return out


def main():
    cmd = sys.argv[1] if len(sys.argv) > 1 else "show"
    if cmd == "show":
        print(version())
    elif cmd == "set" and len(sys.argv) == 3:
        set_version(sys.argv[2])
    elif cmd == "check" and len(sys.argv) == 3:
        sys.exit(check(sys.argv[2]))
    elif cmd == "images":
        print(json.dumps(tools() + ["yonima-deploy"]))
    elif cmd == "moves-major" and len(sys.argv) >= 3:
        tags = sys.argv[3:] or subprocess.run(["git", "tag", "-l", "v*"], cwd=ROOT, capture_output=True, text=True,
                                              check=True).stdout.split()
        print("true" if moves_major(sys.argv[2], tags) else "false")
    else:
        sys.exit("usage: release-version.py show | set X.Y.Z | check vX.Y.Z | images | moves-major vX.Y.Z [TAG...]")


if __name__ == "__main__":
    main()
