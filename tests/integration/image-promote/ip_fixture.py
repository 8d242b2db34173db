"""Shared set-up for image-promote integration tests: registries, images and a runner."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "support"))

from registry import FaultProxy, ImageBuilder, Registry, put_manifest  # noqa: E402,F401
from yonima_test import ToolTest, run_tool  # noqa: E402,F401


def ip(*args, insecure=(), env=None, input=None, timeout=120):
    """Runs image-promote with --insecure-registry for each given host."""
    extra = []
    for h in insecure:
        extra += ["--insecure-registry", h]
    return run_tool("image-promote", *args, *extra, env=env, input=input, timeout=timeout)


BIN_ENV = os.environ.get("YONIMA_BIN", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "build", "bin"))


def releases_behind_a_fault_proxy(cls, repo, count):
    """For a setUpClass: a registry (cls.reg) behind a FaultProxy that passes everything until
    given rules (cls.proxy), and `count` single-image releases pushed to `repo` as tags sha-1..N
    (release-1..N inside). Returns their digests, oldest first; everything is cleaned up with the class."""
    cls.reg = Registry()
    cls.addClassCleanup(cls.reg.stop)
    cls.proxy = FaultProxy(cls.reg, rate=0.0)
    cls.addClassCleanup(cls.proxy.stop)
    img = cls.images = ImageBuilder()
    cls.addClassCleanup(cls.images.cleanup)
    return [img.push(img.single("v%d" % i, "release-%d" % i), cls.reg.host, repo, "sha-%d" % i) for i in range(1, count + 1)]
