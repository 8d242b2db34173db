#!/usr/bin/env python3
"""A small HTTP forward proxy on 127.0.0.1 for integration tests: proves that a tool's requests
went through the proxy named in http_proxy / HTTP_PROXY / https_proxy (and not when no_proxy says
otherwise).

It forwards absolute-form requests (`GET http://127.0.0.1:8080/health HTTP/1.1`) and tunnels
CONNECT (for https:// URLs), and records each: method, target, and the Proxy-Authorization header
if any. It only ever connects to 127.0.0.1: the port comes from the request, the host name is
recorded but never resolved, so nothing leaves the machine whatever a test asks for.

Control (requests in origin form, sent to the proxy itself): GET /__log returns the records as
JSON, DELETE /__log clears them. Prints "PORT <n>" on stdout once listening.

Used from tests through ForwardProxy below, which runs this file as a child process.
"""
import argparse
import http.client
import json
import os
import select
import socket
import subprocess
import sys
import threading
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection", "te",
              "trailer", "transfer-encoding", "upgrade"}

lock = threading.Lock()
records = []


def record(method, target, host, port, headers):
    with lock:
        records.append({"method": method, "target": target, "host": host, "port": port,
                        "proxy_authorization": headers.get("Proxy-Authorization")})


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def _reply(self, status, body=b"", content_type="text/plain"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _control(self):
        if self.path != "/__log":
            self._reply(404, b"not a proxy request\n")
        elif self.command == "DELETE":
            with lock:
                records.clear()
            self._reply(204)
        else:
            with lock:
                body = json.dumps(records).encode()
            self._reply(200, body, "application/json")

    def _forward(self):
        if self.path.startswith("/"):
            return self._control()
        url = urllib.parse.urlsplit(self.path)
        if url.scheme != "http" or not url.port:
            return self._reply(400, b"only http://HOST:PORT/ targets\n")
        record(self.command, self.path, url.hostname, url.port, self.headers)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        headers["Via"] = "1.1 yonima-forward-proxy"
        conn = http.client.HTTPConnection("127.0.0.1", url.port, timeout=30)  # never anywhere else
        try:
            path = url.path or "/"
            if url.query:
                path += "?" + url.query
            conn.request(self.command, path, body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
        except OSError as e:
            return self._reply(502, ("upstream 127.0.0.1:%d: %s\n" % (url.port, e)).encode())
        finally:
            conn.close()
        self.send_response(resp.status, resp.reason)
        for k, v in resp.getheaders():
            if k.lower() not in HOP_BY_HOP and k.lower() != "content-length":
                self.send_header(k, v)
        self.send_header("Via", "1.1 yonima-forward-proxy")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _forward

    def do_CONNECT(self):
        host, _, port = self.path.rpartition(":")
        if not port.isdigit():
            return self._reply(400, b"CONNECT HOST:PORT\n")
        record("CONNECT", self.path, host.strip("[]"), int(port), self.headers)
        try:
            upstream = socket.create_connection(("127.0.0.1", int(port)), timeout=30)  # never anywhere else
        except OSError as e:
            return self._reply(502, ("upstream 127.0.0.1:%s: %s\n" % (port, e)).encode())
        self.send_response(200, "Connection established")
        self.end_headers()
        self.wfile.flush()
        client = self.connection
        try:
            while True:
                ready, _, _ = select.select([client, upstream], [], [], 30)
                if not ready:
                    break
                for s in ready:
                    data = s.recv(65536)
                    if not data:
                        return
                    (upstream if s is client else client).sendall(data)
        except OSError:
            pass
        finally:
            upstream.close()
            self.close_connection = True


class ForwardProxy:
    """Runs this proxy as a child process on 127.0.0.1; `url` is what http_proxy should say."""

    def __init__(self):
        # stderr is not inherited: a proxy outliving a killed test must not hold the caller's pipes.
        self.proc = subprocess.Popen([sys.executable, os.path.abspath(__file__)], stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("PORT "):
            raise RuntimeError("forward proxy did not start: %r" % line)
        self.port = int(line.split()[1])
        self.url = "http://127.0.0.1:%d" % self.port

    def _control(self, method):
        # Straight to the proxy, whatever proxy variables the test process itself has.
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        req = urllib.request.Request(self.url + "/__log", method=method)
        return opener.open(req, timeout=5).read()

    def log(self):
        return json.loads(self._control("GET"))

    def clear(self):
        self._control("DELETE")

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)
        self.proc.stdout.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    print("PORT %d" % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
