"""A fault-injecting HTTP proxy in front of a registry (127.0.0.1 only).

With probability --rate, a request gets one of: 500, 429 with Retry-After: 0, or a connection
reset (closed without an answer), chosen from a random.Random(--seed), so a run is repeatable for
the same request order. Faults are injected before the request reaches the registry, except a
"late reset": the request is forwarded and the answer thrown away, so the client cannot know
whether a write happened. Everything else is forwarded as is (Host kept, so the registry's
Location headers point back at the proxy). GET /__rate?R changes the rate; /__stats counts requests, faults and request body bytes (with
--rate 0 it is a plain counting proxy, which bench/image-promote uses to measure bytes uploaded).

Targeted faults, for one step of a protocol rather than at random: PUT /__rules with
{"rules": [{"method": "PUT", "path": "<regex on the path>", "status": 401, "headers": {...},
"skip": 0, "times": null}]} answers matching requests with `status` (and `headers`) instead of
forwarding them, after letting the first `skip` matches through, `times` times (null: always).
"late": true forwards the request first (the write happens) and then answers `status` instead of
the registry's answer. "delay": S (no status) forwards the request after S seconds, to hold a
step open while a test does something else. Rules are checked before random faults; /__stats counts their "hits".
"""
import argparse
import json
import random
import re
import socket
import struct
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse

from upstream import forward, relay



def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--upstream", required=True)
    ap.add_argument("--rate", type=float, default=0.1)
    ap.add_argument("--seed", type=int, default=1234)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    state = {"rate": args.rate, "requests": 0, "request_body_bytes": 0, "faults": {"500": 0, "429": 0, "reset": 0, "late_reset": 0},
             "rules": []}
    lock = threading.Lock()
    host, port = args.upstream.split(":")

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def reset(self):
            # SO_LINGER 0: close sends RST, as a crashed peer or a middlebox would.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            self.connection.close()

        def plain(self, code, headers=()):
            body = json.dumps({"errors": [{"code": "INJECTED", "message": "fault injected by the test proxy"}]}).encode()
            self.send_response(code)
            for k, v in headers:
                self.send_header(k, v)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def handle_any(self):
            url = urlparse(self.path)
            if url.path == "/__stats":
                with lock:
                    return self.reply_json(dict(state))
            if url.path == "/__rate":
                with lock:
                    state["rate"] = float(url.query)
                return self.reply_json({"rate": state["rate"]})
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            if url.path == "/__rules" and self.command == "PUT":
                rules = json.loads(body or b"{}").get("rules", [])
                for r in rules:
                    r.setdefault("skip", 0)
                    r.setdefault("times", None)
                    r["seen"] = r["hits"] = 0
                with lock:
                    state["rules"] = rules
                return self.reply_json({"rules": len(rules)})
            with lock:
                state["requests"] += 1
                state["request_body_bytes"] += length
                fault = None
                rule = self.matching_rule(url.path)
                if rule is None and rng.random() < state["rate"]:
                    fault = rng.choice(["500", "429", "reset", "late_reset"])
                    state["faults"][fault] += 1
            if rule is not None and rule.get("delay"):  # slow, not faulty: forwarded after the wait
                time.sleep(rule["delay"])
                rule = None
            if rule is not None and not rule.get("late"):
                return self.plain(rule["status"], list(rule.get("headers", {}).items()))
            if fault == "500":
                return self.plain(500)
            if fault == "429":
                return self.plain(429, [("Retry-After", "0")])
            if fault == "reset":
                return self.reset()
            status, headers, data = forward(self, host, port, body)
            if fault == "late_reset":
                return self.reset()
            if rule is not None:  # "late": the registry did it, the client hears otherwise
                return self.plain(rule["status"], list(rule.get("headers", {}).items()))
            relay(self, status, headers, data)

        def matching_rule(self, path):
            """The targeted rule that fails this request, if any (called with the lock held)."""
            for r in state["rules"]:
                if r.get("method", self.command) != self.command or not re.search(r["path"], path):
                    continue
                r["seen"] += 1
                if r["seen"] <= r["skip"] or (r["times"] is not None and r["hits"] >= r["times"]):
                    continue
                r["hits"] += 1
                return r
            return None

        def reply_json(self, obj):
            data = json.dumps(obj).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_HEAD = do_PUT = do_POST = do_PATCH = do_DELETE = handle_any

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print("PORT %d" % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
