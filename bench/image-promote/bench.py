#!/usr/bin/env python3
"""image-promote side by side with `skopeo copy --all` (Debian skopeo), on docker-registry
instances on 127.0.0.1. Not run in CI; prints its figures (medians of --runs runs). Usage:

    cmake --build build -j2 --target image-promote
    YONIMA_BIN=$PWD/build/bin python3 bench/image-promote/bench.py [--big-mb 200] [--runs 5]

1. Same-registry promotion of a multi-platform image (2 platforms) into another repository, and a
   retag inside one repository (first and second tag; then a single-platform image: a new tag, the
   same tag moved again with history to read and extend, a no-op). Each run uses fresh
   repositories, so every run does the same work; the runs of image-promote and skopeo alternate.
   Wall time and peak RSS (/usr/bin/time -v) are medians of the runs made straight to the
   registry (the machine is shared: the ratio is also given as the median of each run's
   image-promote / skopeo ratio, the two run back to back); requests come from the registry's access log; bytes uploaded are request bodies
   counted by a pass-through proxy (tests/support/fault_proxy.py, rate 0) in front of the
   registry, in one extra run whose wall time is shown too ("via proxy": every request pays the
   Python proxy's latency, so it shows what sequential round trips cost).
2. Cross-registry copy of a single image of about --big-mb MB (4 random layers), to a fresh
   registry each run (a new docker-registry on a new port), image-promote and skopeo alternating:
   wall time, throughput, CPU, peak RSS, and the CPU each registry spent during the copy (medians). A new destination registry each run keeps
   skopeo's blob-info cache (/var/lib/containers/cache as root) from knowing the layers are
   there: with it, skopeo mounts them from its previous run's repository instead of copying.
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "support"))
from registry import FaultProxy, ImageBuilder, Registry  # noqa: E402

BIN = os.environ.get("YONIMA_BIN", os.path.join(HERE, "..", "..", "build", "bin"))
TOOL = os.path.join(BIN, "image-promote")
SKOPEO = ["skopeo", "copy", "--all", "--src-tls-verify=false", "--dest-tls-verify=false", "--preserve-digests", "-q"]


def timed(cmd):
    """Runs cmd under /usr/bin/time -v: (wall seconds, peak RSS MB, user+sys seconds)."""
    t = tempfile.NamedTemporaryFile(delete=False)
    start = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-v", "-o", t.name, *cmd], capture_output=True, text=True)
    wall = time.perf_counter() - start
    if p.returncode != 0:
        raise SystemExit("failed: %s\n%s" % (" ".join(cmd), p.stderr[-2000:]))
    rss = cpu = 0
    with open(t.name) as f:
        for line in f:
            m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", line)
            if m:
                rss = int(m.group(1)) / 1024
            m = re.search(r"(User|System) time \(seconds\): ([\d.]+)", line)
            if m:
                cpu += float(m.group(2))
    os.unlink(t.name)
    return wall, rss, cpu


def process_cpu(pid):
    """user+sys seconds a running process has used so far (/proc/PID/stat)."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Scenario:
    def __init__(self, name):
        self.name = name
        self.walls, self.rss, self.requests, self.reads, self.writes = [], [], [], [], []
        self.proxy_wall = self.uploaded = None

    def add(self, reg, cmd, proxy=None):
        before = len(reg.access_log())
        before_bytes = proxy.stats()["request_body_bytes"] if proxy else 0
        wall, rss, _ = timed(cmd)
        log = reg.access_log()[before:]
        self.requests.append(len(log))
        self.reads.append(sum(1 for m, p, s in log if m in ("GET", "HEAD") and "/manifests/" in p))
        self.writes.append(sum(1 for m, p, s in log if m == "PUT" and "/manifests/" in p))
        if proxy:
            self.proxy_wall = wall
            self.uploaded = proxy.stats()["request_body_bytes"] - before_bytes
        else:
            self.walls.append(wall)
            self.rss.append(rss)

    def row(self):
        med = statistics.median
        reqs = "%d" % med(self.requests) if min(self.requests) == max(self.requests) else "%d (%d-%d)" % (
            med(self.requests), min(self.requests), max(self.requests))
        return "| %-52s | %6.3f s | %6.3f s | %-8s | %d / %d | %6d | %5.1f MB |" % (
            self.name, med(self.walls), self.proxy_wall, reqs, med(self.reads), med(self.writes), self.uploaded,
            med(self.rss))


def same_registry(img, reg, proxy, runs):
    multi_tag = img.multi("multi", "bench", archs=("amd64", "arm64"))
    single_tag = img.single("single", "bench single")
    names = ["image-promote promote --to other repo (2-platform index)", "skopeo copy --all (other repo)",
             "image-promote promote --to tag (same repo, index, new tag)", "image-promote promote --to 2nd tag (warm)",
             "skopeo copy --all (same repo, retag)", "image-promote promote single --to tag (same repo, new tag)",
             "image-promote promote --to a tag with a history", "image-promote promote, no-op (already there)",
             "skopeo copy --all (single, same repo, retag)"]
    scenarios = [Scenario(n) for n in names]
    for run in range(runs + 1):
        via = proxy if run == 0 else None  # run 0 counts bytes through the proxy
        host = via.host if via else reg.host
        ins = ["--insecure-registry", host]
        repo = "team%d/app" % run
        multi = img.push(multi_tag, reg.host, repo, "sha-1")
        single = img.push(single_tag, reg.host, repo, "sha-2")
        src = "%s/%s@%s" % (host, repo, multi)
        ssrc = "%s/%s@%s" % (host, repo, single)
        cmds = [[TOOL, "promote", src, "--to", "%s/prod%d/app:live" % (host, run), *ins],
                SKOPEO + ["docker://" + src, "docker://%s/sk%d/app:live" % (host, run)],
                [TOOL, "promote", src, "--to", "production", *ins],
                [TOOL, "promote", src, "--to", "staging", *ins],
                SKOPEO + ["docker://" + src, "docker://%s/%s:production2" % (host, repo)],
                [TOOL, "promote", ssrc, "--to", "production-s", *ins],
                [TOOL, "promote", src, "--to", "production-s", *ins],
                [TOOL, "promote", src, "--to", "production-s", *ins],
                SKOPEO + ["docker://" + ssrc, "docker://%s/%s:production3" % (host, repo)]]
        for s, cmd in zip(scenarios, cmds):
            s.add(reg, cmd, via)
    print("| run (same registry) | wall | wall via proxy | requests | manifest reads / writes | bytes uploaded | peak RSS |")
    print("|---|---|---|---|---|---|---|")
    for s in scenarios:
        print(s.row())
    ours, theirs = statistics.median(scenarios[0].walls), statistics.median(scenarios[1].walls)
    pairs = [o / t for o, t in zip(scenarios[0].walls, scenarios[1].walls)]
    print("\nother repository: image-promote / skopeo wall time = %.2f (ratio of medians), %.2f (median of the %d "
          "runs' ratios, each pair run back to back); runs: %s / %s" % (
              ours / theirs, statistics.median(pairs), runs, " ".join("%.3f" % w for w in scenarios[0].walls),
              " ".join("%.3f" % w for w in scenarios[1].walls)))
    print("Minimum for a same-repository retag: 1 manifest read + 1 manifest write per tag.\n")


def cross_registry(img, a, big_mb, runs):
    layer = big_mb * 1024 * 1024 // 4
    digest = img.push(img.layout_with_layers("big", [layer] * 4), a.host, "team/big", "v1")
    res = {"image-promote copy --jobs 4 (streamed)": [], "skopeo copy --all": []}
    for run in range(runs):
        for name in res:
            b = Registry()
            try:
                if name.startswith("skopeo"):
                    cmd = SKOPEO + ["docker://%s/team/big@%s" % (a.host, digest), "docker://%s/mirror/big:v1" % b.host]
                else:
                    cmd = [TOOL, "copy", "%s/team/big@%s" % (a.host, digest), "%s/mirror/big:v1" % b.host,
                           "--insecure-registry", a.host, "--insecure-registry", b.host]
                before = process_cpu(a.proc.pid), process_cpu(b.proc.pid)
                wall, rss, cpu = timed(cmd)
                res[name].append((wall, rss, cpu, process_cpu(a.proc.pid) - before[0], process_cpu(b.proc.pid) - before[1]))
                assert b.resolve("mirror/big", "v1") == digest
            finally:
                b.stop()
    print("| cross-registry copy, ~%d MB image (4 layers), median of %d | wall | throughput | CPU (user+sys) | peak RSS "
          "| source registry CPU | destination registry CPU |" % (big_mb, runs))
    print("|---|---|---|---|---|---|---|")
    for name, r in res.items():
        wall = statistics.median(x[0] for x in r)
        print("| %-40s | %5.2f s | %4.0f MB/s | %5.2f s | %5.1f MB | %5.2f s | %5.2f s |" % (
            name, wall, big_mb / wall, statistics.median(x[2] for x in r), statistics.median(x[1] for x in r),
            statistics.median(x[3] for x in r), statistics.median(x[4] for x in r)))
    walls = [[x[0] for x in r] for r in res.values()]
    print("\nimage-promote / skopeo wall time = %.2f (ratio of medians), %.2f (median of the runs' ratios, each pair "
          "run back to back); runs: %s / %s" % (
              statistics.median(walls[0]) / statistics.median(walls[1]),
              statistics.median(o / t for o, t in zip(walls[0], walls[1])), " ".join("%.2f" % w for w in walls[0]),
              " ".join("%.2f" % w for w in walls[1])))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--big-mb", type=int, default=200)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--only", choices=("same", "cross"))
    args = ap.parse_args()
    img = ImageBuilder()
    a = Registry()
    pa = FaultProxy(a, rate=0.0)
    try:
        if args.only != "cross":
            print("## same-registry promotion (medians of %d runs)\n" % args.runs)
            same_registry(img, a, pa, args.runs)
        if args.only != "same":
            print("## cross-registry copy\n")
            cross_registry(img, a, args.big_mb, args.runs)
    finally:
        pa.stop()
        a.stop()
        img.cleanup()


if __name__ == "__main__":
    main()
