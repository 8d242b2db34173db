"""Shared helpers for integration tests: run the shipped binaries, start local services."""
import json
import os
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
import unittest
import urllib.request

import skip_policy

# A skip fails the run under CI and warns elsewhere (see skip_policy.py).
skip_policy.install()

BIN = os.environ.get("YONIMA_BIN", os.path.join(os.path.dirname(__file__), "..", "..", "build", "bin"))
SUPPORT = os.path.dirname(os.path.abspath(__file__))


class Result:
    def __init__(self, proc, outputs, summary):
        self.code = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        self.outputs = outputs
        self.summary = summary

    def json(self):
        return json.loads(self.stdout)

    def __repr__(self):
        return "exit %d\nstdout: %s\nstderr: %s" % (self.code, self.stdout[-3000:], self.stderr[-3000:])


def parse_github_output(text):
    """Reads a $GITHUB_OUTPUT file (name=value and name<<DELIM ... DELIM)."""
    outputs, lines, i = {}, text.split("\n"), 0
    while i < len(lines):
        line = lines[i]
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delim = line.split("<<", 1)
            value = []
            i += 1
            while lines[i] != delim:
                value.append(lines[i])
                i += 1
            outputs[name] = "\n".join(value)
        elif "=" in line:
            name, value = line.split("=", 1)
            outputs[name] = value
        i += 1
    return outputs


def run_tool(tool, *args, env=None, input=None, timeout=120, actions=True, clean_env=False):
    """Runs build/bin/<tool> as a GitHub step would: INPUT_* from env, output files read back."""
    tmp = tempfile.mkdtemp(prefix="yonima-step-")
    out_file = os.path.join(tmp, "output")
    sum_file = os.path.join(tmp, "summary")
    open(out_file, "w").close()
    open(sum_file, "w").close()
    base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")} if clean_env else dict(os.environ)
    for k in list(base):
        if k.startswith("INPUT_") or k.startswith("GITHUB_"):
            del base[k]
    if actions:
        base.update({"GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": out_file, "GITHUB_STEP_SUMMARY": sum_file})
    base.update(env or {})
    proc = subprocess.run([os.path.join(BIN, tool), *args], env=base, input=input, capture_output=True, text=True,
                          timeout=timeout)
    with open(out_file) as f:
        outputs = parse_github_output(f.read())
    with open(sum_file) as f:
        summary = f.read()
    shutil.rmtree(tmp, ignore_errors=True)
    return Result(proc, outputs, summary)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class HttpService:
    """The programmable HTTP service (http_service.py) on 127.0.0.1."""

    def __init__(self, script=None, tls_cert=None, tls_key=None, port=0):
        cmd = ["python3", os.path.join(SUPPORT, "http_service.py"), "--port", str(port)]
        if tls_cert:
            cmd += ["--tls-cert", tls_cert, "--tls-key", tls_key]
        # stderr is not inherited: a service outliving a killed test must not hold the caller's pipes.
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("PORT "):
            raise RuntimeError("http service did not start: %r" % line)
        self.port = int(line.split()[1])
        self.tls = bool(tls_cert)
        if script:
            self.set(script)

    @property
    def base(self):
        return "%s://127.0.0.1:%d" % ("https" if self.tls else "http", self.port)

    def url(self, path="/health"):
        return self.base + path

    def _control(self, req):
        # The control calls use the service's own scheme; the test CA is not worth trusting here.
        ctx = ssl._create_unverified_context() if self.tls else None
        return urllib.request.urlopen(req, timeout=5, context=ctx).read()

    def set(self, routes):
        self._control(urllib.request.Request(self.base + "/__script", method="PUT",
                                             data=json.dumps({"routes": routes}).encode()))

    def stats(self):
        return json.loads(self._control(self.base + "/__stats"))

    def headers_seen(self):
        """The request headers last received per path (names lower-cased)."""
        return json.loads(self._control(self.base + "/__headers"))

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)


class ToolTest(unittest.TestCase):
    maxDiff = None

    def assertExit(self, result, code):
        self.assertEqual(result.code, code, repr(result))


def without_masks(text):
    """`text` without its ::add-mask:: lines: they are how a secret is handed to the runner to mask
    (on either stream), so they are the one place a secret may appear."""
    return "\n".join(l for l in text.split("\n") if not l.startswith("::add-mask::"))
