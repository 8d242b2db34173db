"""A stand-in for the OCI 1.1 referrers API, in front of a registry that lacks it (Debian's
docker-registry 2.8), on 127.0.0.1 only.

Everything is forwarded to --upstream as is, except:
* PUT /v2/<name>/manifests/<ref>: forwarded; when the registry accepts it and the manifest has a
  `subject`, it is remembered as a referrer of that subject in <name>, as an OCI 1.1 registry does;
* GET /v2/<name>/referrers/<digest>: an OCI image index of the remembered referrers (descriptor:
  mediaType, digest, size, artifactType = the manifest's artifactType or else its config's
  mediaType, annotations), --page-size per page with a `Link: <...>; rel="next"` header to the
  next page, as the distribution spec allows; an empty index when there are none (never 404).

Control (tests only): PUT /__referrers {"status": 500} makes the referrers endpoint answer that
status instead (0 = normal again); GET /__stats counts referrers requests by status.
Prints "PORT <n>" once listening.
"""
import argparse
import hashlib
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from upstream import forward, relay

INDEX = "application/vnd.oci.image.index.v1+json"
REFERRERS = re.compile(r"^/v2/(.+)/referrers/(sha256:[0-9a-f]{64})$")
MANIFEST = re.compile(r"^/v2/(.+)/manifests/([^/]+)$")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--upstream", required=True)
    ap.add_argument("--page-size", type=int, default=1)
    args = ap.parse_args()
    host, port = args.upstream.split(":")
    lock = threading.Lock()
    referrers = {}  # (name, subject digest) -> [descriptor], in push order
    state = {"status": 0, "requests": {}}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def reply(self, code, body=b"", headers=()):
            self.send_response(code)
            for k, v in headers:
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def handle_any(self):
            url = urlparse(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            if url.path == "/__referrers":
                with lock:
                    state["status"] = json.loads(body or b"{}").get("status", 0)
                return self.reply(204)
            if url.path == "/__stats":
                with lock:
                    data = json.dumps(state).encode()
                return self.reply(200, data, [("Content-Type", "application/json")])
            m = REFERRERS.match(url.path)
            if m and self.command in ("GET", "HEAD"):
                return self.serve_referrers(m.group(1), m.group(2), parse_qs(url.query))
            status, headers, data = forward(self, host, port, body)
            m = MANIFEST.match(url.path)
            if m and self.command == "PUT" and status == 201 and body:
                self.remember(m.group(1), body, self.headers.get("Content-Type", ""))
            relay(self, status, headers, data)

        def remember(self, name, body, content_type):
            try:
                m = json.loads(body)
            except ValueError:
                return
            subject = m.get("subject") if isinstance(m, dict) else None
            if not isinstance(subject, dict) or "digest" not in subject:
                return
            d = {"mediaType": m.get("mediaType") or content_type.split(";")[0],
                 "digest": "sha256:" + hashlib.sha256(body).hexdigest(), "size": len(body),
                 "artifactType": m.get("artifactType") or (m.get("config") or {}).get("mediaType", "")}
            if m.get("annotations"):
                d["annotations"] = m["annotations"]
            with lock:
                known = referrers.setdefault((name, subject["digest"]), [])
                if all(k["digest"] != d["digest"] for k in known):
                    known.append(d)

        def serve_referrers(self, name, subject, query):
            with lock:
                status = state["status"]
                state["requests"][str(status or 200)] = state["requests"].get(str(status or 200), 0) + 1
                found = list(referrers.get((name, subject), []))
            if status:
                err = json.dumps({"errors": [{"code": "UNAVAILABLE", "message": "injected by the referrers stand-in"}]})
                return self.reply(status, err.encode(), [("Content-Type", "application/json")])
            page = int(query.get("page", ["0"])[0])
            size = max(1, args.page_size)
            body = json.dumps({"schemaVersion": 2, "mediaType": INDEX,
                               "manifests": found[page * size:(page + 1) * size]}).encode()
            headers = [("Content-Type", INDEX)]
            if (page + 1) * size < len(found):
                headers.append(("Link", '</v2/%s/referrers/%s?page=%d>; rel="next"' % (name, subject, page + 1)))
            self.reply(200, body, headers)

        do_GET = do_HEAD = do_PUT = do_POST = do_PATCH = do_DELETE = handle_any

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print("PORT %d" % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
