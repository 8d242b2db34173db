"""Shared set-up for image-promote integration tests: registries, images and a runner."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "support"))

from registry import FaultProxy, ImageBuilder, Registry  # noqa: E402,F401
from yonima_test import ToolTest, run_tool  # noqa: E402,F401


def ip(*args, insecure=(), env=None, input=None, timeout=120):
    """Runs image-promote with --insecure-registry for each given host."""
    extra = []
    for h in insecure:
        extra += ["--insecure-registry", h]
    return run_tool("image-promote", *args, *extra, env=env, input=input, timeout=timeout)


BIN_ENV = os.environ.get("YONIMA_BIN", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "build", "bin"))
