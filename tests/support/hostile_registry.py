"""A hostile registry stand-in (127.0.0.1 only): the distribution API as a broken or malicious
registry serves it, for the bounds image-promote must keep (issue 9, item 22). Repositories:

  endless/app:v1   a single image whose layer descriptor says 133 bytes; GET of that blob streams
                   zeros without end (no Content-Length) until the client hangs up
  drip/app:v1      GET of the manifest sends its headers, then the body one byte per second
  deep/app:v1      an OCI index whose only entry is an index, and so on, --depth levels deep

Prints "PORT <n>" once listening. GET /__stats: requests served and bytes of the endless blob sent.
"""
import argparse
import hashlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

INDEX = "application/vnd.oci.image.index.v1+json"
MANIFEST = "application/vnd.oci.image.manifest.v1+json"


def sha(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--depth", type=int, default=3000)
    args = ap.parse_args()

    blobs, manifests = {}, {}  # digest -> bytes; (repo, ref) -> (media type, body)
    config = json.dumps({"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": []}}).encode()
    blobs[sha(config)] = config
    endless_layer = "sha256:" + "e" * 64
    image = json.dumps({"schemaVersion": 2, "mediaType": MANIFEST,
                        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": sha(config),
                                   "size": len(config)},
                        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                                    "digest": endless_layer, "size": 133}]}).encode()
    for repo in ("endless/app", "drip/app"):
        manifests[(repo, "v1")] = (MANIFEST, image)
        manifests[(repo, sha(image))] = (MANIFEST, image)
    # Bottom-up: each level's digest goes into the level above.
    child_body, child_type = image, MANIFEST
    manifests[("deep/app", sha(image))] = (MANIFEST, image)
    for _ in range(args.depth):
        body = json.dumps({"schemaVersion": 2, "mediaType": INDEX,
                           "manifests": [{"mediaType": child_type, "digest": sha(child_body), "size": len(child_body),
                                          "platform": {"os": "linux", "architecture": "amd64"}}]}).encode()
        manifests[("deep/app", sha(body))] = (INDEX, body)
        child_body, child_type = body, INDEX
    manifests[("deep/app", "v1")] = (INDEX, child_body)

    stats = {"requests": 0, "endless_bytes": 0, "manifest_gets": 0}
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def reply(self, code, body=b"", ctype="application/json", headers=None, head=False):
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            if not head:
                self.wfile.write(body)

        def route(self, head):
            with lock:
                stats["requests"] += 1
            path = self.path.split("?")[0]
            if path == "/__stats":
                with lock:
                    return self.reply(200, json.dumps(stats).encode())
            if path in ("/v2", "/v2/"):
                return self.reply(200, b"{}")
            if "/manifests/" in path:
                repo, ref = path[len("/v2/"):].split("/manifests/", 1)
                if (repo, ref) not in manifests:
                    return self.reply(404, b'{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}',
                                      head=head)
                with lock:
                    stats["manifest_gets"] += 0 if head else 1
                mt, body = manifests[(repo, ref)]
                hdrs = {"Docker-Content-Digest": sha(body)}
                if repo == "drip/app" and not head:
                    self.send_response(200)
                    self.send_header("Content-Type", mt)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    try:
                        for i in range(len(body)):
                            self.wfile.write(body[i:i + 1])
                            self.wfile.flush()
                            time.sleep(1)
                    except OSError:
                        pass
                    return
                return self.reply(200, body, mt, hdrs, head=head)
            if "/blobs/" in path:
                digest = path.rsplit("/", 1)[1]
                if digest == endless_layer:
                    if head:
                        return self.reply(200, b"", "application/octet-stream", {"Content-Length": "133"}, head=True)
                    self.send_response(200)
                    self.send_header("Content-Type", "application/octet-stream")
                    self.send_header("Connection", "close")
                    self.end_headers()
                    chunk = b"\0" * 65536
                    try:
                        for _ in range(1 << 20):  # bounded all the same: 64 GiB at most
                            self.wfile.write(chunk)
                            with lock:
                                stats["endless_bytes"] += len(chunk)
                    except OSError:
                        pass
                    self.close_connection = True
                    return
                if digest in blobs:
                    return self.reply(200, blobs[digest], "application/octet-stream", head=head)
                return self.reply(404, b'{"errors":[{"code":"BLOB_UNKNOWN","message":"blob unknown"}]}', head=head)
            return self.reply(404, b"{}", head=head)

        def do_GET(self):
            self.route(False)

        def do_HEAD(self):
            self.route(True)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print("PORT %d" % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
