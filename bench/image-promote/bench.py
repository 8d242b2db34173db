#!/usr/bin/env python3
"""image-promote side by side with `skopeo copy --all` (Debian skopeo), on docker-registry
instances on 127.0.0.1. Not run in CI; prints its figures. Usage:

    cmake --build build -j2 --target image-promote
    YONIMA_BIN=$PWD/build/bin python3 bench/image-promote/bench.py [--big-mb 200]

1. Same-registry promotion of a multi-platform image (2 platforms) into another repository, and a
   retag inside one repository (first and second tag; then a single-platform image: a new tag, the
   same tag moved again with history to read and extend, a no-op): wall time, requests counted
   from the registry's access log, bytes uploaded (request bodies counted by a pass-through proxy
   in front of the registry).
2. Cross-registry copy of a single image of about --big-mb MB (4 random layers): wall time,
   throughput and peak memory (/usr/bin/time -v).
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "support"))
from registry import FaultProxy, ImageBuilder, Registry  # noqa: E402

BIN = os.environ.get("YONIMA_BIN", os.path.join(HERE, "..", "..", "build", "bin"))
TOOL = os.path.join(BIN, "image-promote")


def timed(cmd):
    """Runs cmd under /usr/bin/time -v: (wall seconds, peak RSS MB, stdout)."""
    t = tempfile.NamedTemporaryFile(delete=False)
    start = time.time()
    p = subprocess.run(["/usr/bin/time", "-v", "-o", t.name, *cmd], capture_output=True, text=True)
    wall = time.time() - start
    if p.returncode != 0:
        raise SystemExit("failed: %s\n%s" % (" ".join(cmd), p.stderr[-2000:]))
    rss = 0
    with open(t.name) as f:
        for line in f:
            m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", line)
            if m:
                rss = int(m.group(1)) / 1024
    os.unlink(t.name)
    return wall, rss, p.stdout


def measure(reg, proxy, cmd):
    before_log = len(reg.access_log())
    before = proxy.stats()
    wall, rss, _ = timed(cmd)
    after = proxy.stats()
    log = reg.access_log()[before_log:]
    return {"wall": wall, "rss": rss, "requests": len(log),
            "manifest_reads": sum(1 for m, p, s in log if m in ("GET", "HEAD") and "/manifests/" in p),
            "manifest_writes": sum(1 for m, p, s in log if m == "PUT" and "/manifests/" in p),
            "uploaded": after["request_body_bytes"] - before["request_body_bytes"]}


def row(name, r):
    print("| %-50s | %7.2fs | %8d | %6d / %-6d | %12d | %7.1f MB |" % (
        name, r["wall"], r["requests"], r["manifest_reads"], r["manifest_writes"], r["uploaded"], r["rss"]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--big-mb", type=int, default=200)
    args = ap.parse_args()
    img = ImageBuilder()
    a, b = Registry(), Registry()
    pa, pb = FaultProxy(a, rate=0.0), FaultProxy(b, rate=0.0)
    try:
        ins = ["--insecure-registry", pa.host, "--insecure-registry", pb.host]
        sk = ["skopeo", "copy", "--all", "--src-tls-verify=false", "--dest-tls-verify=false", "--preserve-digests", "-q"]
        multi = img.push(img.multi("multi", "bench", archs=("amd64", "arm64")), a.host, "team/app", "sha-1")
        src = "%s/team/app@%s" % (pa.host, multi)
        print("## same-registry promotion of a 2-platform index (%s)\n" % multi[:19])
        print("| run | wall | requests | manifest R / W | bytes uploaded | peak RSS |")
        print("|---|---|---|---|---|---|")
        row("image-promote promote --to other repo", measure(a, pa, [TOOL, "promote", src, "--to", pa.host + "/prod/app:live", *ins]))
        row("skopeo copy --all (other repo)", measure(a, pa, sk + ["docker://" + src, "docker://%s/prod2/app:live" % pa.host]))
        row("image-promote promote --to tag (same repo)", measure(a, pa, [TOOL, "promote", src, "--to", "production", *ins]))
        row("image-promote promote --to 2nd tag (warm)", measure(a, pa, [TOOL, "promote", "%s/team/app@%s" % (pa.host, multi), "--to", "staging", *ins]))
        row("skopeo copy --all (same repo, retag)", measure(a, pa, sk + ["docker://" + src, "docker://%s/team/app:production2" % pa.host]))
        single = img.push(img.single("single", "bench single"), a.host, "team/app", "sha-2")
        ssrc = "%s/team/app@%s" % (pa.host, single)
        row("image-promote promote single --to tag (same repo)", measure(a, pa, [TOOL, "promote", ssrc, "--to", "production-s", *ins]))
        row("image-promote promote, tag with a history", measure(a, pa, [TOOL, "promote", src, "--to", "production-s", *ins]))
        row("image-promote promote, no-op (already there)", measure(a, pa, [TOOL, "promote", src, "--to", "production-s", *ins]))
        row("skopeo copy --all (single, same repo, retag)", measure(a, pa, sk + ["docker://" + ssrc, "docker://%s/team/app:production3" % pa.host]))
        print("\nMinimum for a same-repository retag: 1 manifest read + 1 manifest write per tag.\n")

        print("## cross-registry copy of a ~%d MB image\n" % args.big_mb)
        layer = args.big_mb * 1024 * 1024 // 4
        big = img.layout_with_layers("big", [layer] * 4)
        digest = img.push(big, a.host, "team/big", "v1")
        print("| run | wall | MB/s | peak RSS |")
        print("|---|---|---|---|")
        for name, cmd, dst_repo in (
                ("image-promote copy --jobs 4", [TOOL, "copy", "%s/team/big@%s" % (a.host, digest), "%s/mirror/big:v1" % b.host,
                                                 "--insecure-registry", a.host, "--insecure-registry", b.host], "mirror/big"),
                ("skopeo copy --all", sk + ["docker://%s/team/big@%s" % (a.host, digest), "docker://%s/mirror2/big:v1" % b.host],
                 "mirror2/big")):
            wall, rss, _ = timed(cmd)
            assert b.resolve(dst_repo, "v1") == digest
            print("| %-30s | %6.2fs | %7.1f | %7.1f MB |" % (name, wall, args.big_mb / wall, rss))
    finally:
        pa.stop()
        pb.stop()
        a.stop()
        b.stop()
        img.cleanup()


if __name__ == "__main__":
    main()
