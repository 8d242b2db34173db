#!/usr/bin/env python3
"""health-gate benchmarks, side by side with the url-health-check style `curl --retry` loop.
Not a test: prints figures. Run after `bash scripts/build.sh`:  python3 bench/health-gate/bench.py

1. start-up: wall time of `health-gate --version` (mean of N runs)
2. size: stripped static binary, and the compressed FROM scratch image when buildah is usable
3. detection latency: the service turns healthy at T; time from T until the checker exits 0,
   for health-gate and for curl --retry, both polling every 1s. T is 2s plus a random offset
   within the 1s interval (seeded, the same offsets for both checkers): a fixed T would fall on a
   poll boundary every time and measure only that alignment, not the expected wait (~interval/2).
Settings (environment): BENCH_RUNS detection runs per checker (default 5), BENCH_SEED (default 1),
YONIMA_BIN (default build/bin).
Everything runs on 127.0.0.1."""
import os
import random
import statistics
import subprocess
import sys
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "support"))
from yonima_test import HttpService  # noqa: E402

BIN = os.environ.get("YONIMA_BIN", os.path.join(ROOT, "build", "bin"))
HG = os.path.join(BIN, "health-gate")
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
SEED = int(os.environ.get("BENCH_SEED", "1"))
INTERVAL_MS = 1000
TURN_HEALTHY_MS = 2000


def startup(n=200):
    times = []
    for _ in range(n):
        t = time.perf_counter()
        subprocess.run([HG, "--version"], stdout=subprocess.DEVNULL, check=True)
        times.append((time.perf_counter() - t) * 1000)
    return statistics.mean(times), statistics.median(times)


def detection(svc, command):
    rng = random.Random(SEED)  # the same healthy moments for every checker
    lat = []
    for _ in range(RUNS):
        turn_ms = TURN_HEALTHY_MS + rng.uniform(0, INTERVAL_MS)
        svc.set({"/health": [{"status": 503, "body": "starting", "until_ms": turn_ms}, {"status": 200, "body": "ok"}]})
        healthy_at = time.perf_counter() + turn_ms / 1000
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, timeout=60)
        lat.append((time.perf_counter() - healthy_at) * 1000)
    return statistics.mean(lat), statistics.median(lat), max(lat)


def main():
    mean, median = startup()
    print("start-up  health-gate --version: mean %.2f ms, median %.2f ms (200 runs)" % (mean, median))
    print("size      health-gate binary: %.2f MB (static, stripped)" % (os.path.getsize(HG) / 1e6))
    try:
        out = subprocess.run(["bash", os.path.join(ROOT, "docker", "build-image.sh"), "health-gate", HG,
                              "localhost/yonima-bench/health-gate:bench"], capture_output=True, text=True, timeout=300)
        sizes = [l for l in out.stderr.splitlines() + out.stdout.splitlines() if "compressed" in l.lower()]
        print("size      image: %s" % (sizes[-1].strip() if sizes else "(buildah not usable here)"))
    except Exception as e:  # the benchmark still reports the rest
        print("size      image: not measured (%s)" % e)

    svc = HttpService()
    try:
        url = svc.url()
        hg = [HG, "--url", url, "--interval", "%dms" % INTERVAL_MS, "--timeout", "30s", "--quiet"]
        curl = ["curl", "-fsS", "--retry", "30", "--retry-delay", str(INTERVAL_MS // 1000), "--retry-all-errors",
                "--max-time", "30", url]
        for name, cmd in (("health-gate --interval 1s", hg), ("curl --retry --retry-delay 1", curl)):
            mean, median, worst = detection(svc, cmd)
            print("detection %-30s mean %6.0f ms, median %6.0f ms, worst %6.0f ms after turning healthy (%d runs, seed %d)"
                  % (name, mean, median, worst, RUNS, SEED))
    finally:
        svc.stop()


if __name__ == "__main__":
    main()
