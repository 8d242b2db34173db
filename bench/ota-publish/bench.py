#!/usr/bin/env python3
"""ota-publish's costs side by side with eas-cli's own (not a test; prints figures for
docs/ota-publish.md). Runs offline:
  - start-up of the static binary (plan, check-config of the good fixture): median of N runs, max RSS
  - start-up of the pinned eas-cli (`eas --version`: the Node cost every eas call pays)
  - a rollback against the eas stand-in (5 eas calls; the stand-in is Python, so this is
    ota-publish's own overhead plus Python start-up, not EAS's)
Usage: python3 bench/ota-publish/bench.py [--runs N]   (build/bin and tests/tools/eas-cli installed)"""
import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BIN = os.environ.get("YONIMA_BIN", os.path.join(ROOT, "build", "bin"))
OTA = os.path.join(BIN, "ota-publish")
EAS = os.path.join(ROOT, "tests", "tools", "eas-cli", "node_modules", ".bin", "eas")
FIX = os.path.join(ROOT, "tests", "integration", "ota-publish")
sys.path.insert(0, FIX)


def timed(cmd, runs, env=None, cwd=None):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return statistics.median(times), rss


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=10)
    a = ap.parse_args()
    rows = []
    t, _ = timed([OTA, "plan", "--ref", "refs/tags/v1.5.0"], a.runs)
    rows.append(("ota-publish plan", t))
    t, _ = timed([OTA, "check-config", "--eas-json", os.path.join(FIX, "fixtures", "eas-json", "good", "eas.json")], a.runs)
    rows.append(("ota-publish check-config (good fixture)", t))
    if os.path.exists(EAS):
        t, _ = timed([EAS, "--version"], max(3, a.runs // 3))
        rows.append(("eas --version (eas-cli 24.8.0, Node start-up)", t))
    import ota_fixture as f
    with tempfile.TemporaryDirectory() as d:
        state = os.path.join(d, "state.json")
        standin = os.path.join(d, "eas")
        shutil.copy(os.path.join(FIX, "eas_standin.py"), standin)
        os.chmod(standin, 0o755)
        times = []
        for _ in range(max(3, a.runs // 3)):
            with open(state, "w") as out:
                json.dump(f.state_with(f.group("b"), f.group("a")), out)
            env = dict(os.environ, OTA_STANDIN_STATE=state, EXPO_TOKEN="x")
            start = time.perf_counter()
            subprocess.run([OTA, "rollback", "--channel", "production", "--eas", standin, "--project-dir", d], env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
            times.append(time.perf_counter() - start)
        rows.append(("ota-publish rollback vs the eas stand-in (5 eas calls, Python)", statistics.median(times)))
    print("%-66s %10s" % ("what", "median"))
    for name, t in rows:
        print("%-66s %8.1f ms" % (name, t * 1000))


if __name__ == "__main__":
    main()
