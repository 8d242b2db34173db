#!/usr/bin/env python3
"""A small programmable HTTP service on 127.0.0.1 for integration tests and the deploy drill.

Each route serves a script: a list of steps, taken in order; a step with "repeat": N is served N
times, one with "until_ms": T while less than T ms have passed since the script was set; the
last step repeats forever. A step can set status, json or body, headers, delay_ms (slow answers),
body_bytes (a large streamed body), body_hex (exact bytes, e.g. invalid UTF-8) and redirect
(Location header).

Control (only from the tests): PUT /__script {"routes": {...}} replaces the script,
GET /__stats returns request counts per path, GET /__headers the request headers last received per
path (to see what a client sent, e.g. after a redirect). Prints "PORT <n>" on stdout once listening.
"""
import argparse
import json
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

lock = threading.Lock()
state = {"routes": {}, "set_at": time.monotonic(), "served": {}, "counts": {}, "headers": {}}


def set_script(script):
    with lock:
        state["routes"] = script.get("routes", {})
        state["set_at"] = time.monotonic()
        state["served"] = {}


def next_step(path):
    with lock:
        steps = state["routes"].get(path)
        if steps is None:
            return None
        state["counts"][path] = state["counts"].get(path, 0) + 1
        n = state["served"].get(path, 0)
        state["served"][path] = n + 1
        elapsed_ms = (time.monotonic() - state["set_at"]) * 1000
        seen = 0
        for step in steps:
            if "until_ms" in step:
                if elapsed_ms < step["until_ms"]:
                    return step
                continue
            repeat = step.get("repeat")
            if repeat is None:
                return step
            if n < seen + repeat:
                return step
            seen += repeat
        return steps[-1]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def _send(self, status, body=b"", headers=None):
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _serve(self):
        path = self.path.split("?")[0]
        if path == "/__stats":
            with lock:
                return self._send(200, json.dumps(state["counts"]).encode(), {"Content-Type": "application/json"})
        if path == "/__headers":
            with lock:
                return self._send(200, json.dumps(state["headers"]).encode(), {"Content-Type": "application/json"})
        with lock:
            state["headers"][path] = {k.lower(): v for k, v in self.headers.items()}
        step = next_step(path)
        if step is None:
            return self._send(404, b'{"message":"no such route"}', {"Content-Type": "application/json"})
        if step.get("delay_ms"):
            time.sleep(step["delay_ms"] / 1000.0)
        headers = dict(step.get("headers", {}))
        status = step.get("status", 200)
        if "redirect" in step:
            headers["Location"] = step["redirect"]
        if "body_bytes" in step:
            size = step["body_bytes"]
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(size))
            self.end_headers()
            chunk = b"x" * 65536
            sent = 0
            try:
                while sent < size:
                    n = min(len(chunk), size - sent)
                    self.wfile.write(chunk[:n])
                    sent += n
            except (BrokenPipeError, ConnectionResetError):
                pass
            return
        if "json" in step:
            body = json.dumps(step["json"], ensure_ascii=False).encode()
            headers.setdefault("Content-Type", "application/json")
        elif "body_hex" in step:
            body = bytes.fromhex(step["body_hex"])
        else:
            body = step.get("body", "").encode()
        self._send(status, body, headers)

    def do_GET(self):
        self._serve()

    def do_HEAD(self):
        self._serve()

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self._serve()

    def do_PUT(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.path == "/__script":
            set_script(json.loads(body or b"{}"))
            return self._send(204)
        self._serve()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--script", help="JSON file with the initial script")
    parser.add_argument("--tls-cert")
    parser.add_argument("--tls-key")
    args = parser.parse_args()
    if args.script:
        with open(args.script) as f:
            set_script(json.load(f))
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    if args.tls_cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.tls_cert, args.tls_key)
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
    print("PORT %d" % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
