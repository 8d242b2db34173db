"""A Docker registry token service for tests (127.0.0.1 only).

GET /token?service=..&scope=repository:NAME:pull,push&scope=... with optional Basic auth. Known
users get every action they ask for; anonymous callers get pull only; a wrong password gets 401.
POST /token with grant_type=refresh_token (docker's identitytoken flow): the refresh token
"rt-<user>" stands for that user.
Tokens are RS256 JWTs with an x5c header holding the self-signed certificate the registry has in
its rootcertbundle; signing uses the openssl CLI. /__stats reports the requests seen.
"""
import argparse
import base64
import json
import subprocess
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--key", required=True)
    ap.add_argument("--cert", required=True)
    ap.add_argument("--users", required=True)
    ap.add_argument("--issuer", default="yonima-test-token-server")
    args = ap.parse_args()
    users = json.load(open(args.users))
    der = subprocess.run(["openssl", "x509", "-in", args.cert, "-outform", "DER"], check=True,
                         capture_output=True).stdout
    x5c = base64.b64encode(der).decode()
    stats = {"token_requests": 0, "refused": 0, "scopes": []}
    lock = threading.Lock()

    def sign(claims):
        header = {"typ": "JWT", "alg": "RS256", "x5c": [x5c]}
        signing_input = b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())
        sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", args.key], input=signing_input.encode(),
                             check=True, capture_output=True).stdout
        return signing_input + "." + b64url(sig)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def reply(self, code, body):
            data = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            form = parse_qs(self.rfile.read(length).decode())
            rt = form.get("refresh_token", [""])[0]
            if form.get("grant_type", [""])[0] != "refresh_token" or not rt.startswith("rt-") or rt[3:] not in users:
                with lock:
                    stats["refused"] += 1
                return self.reply(401, {"error": "invalid_grant"})
            q = {"service": form.get("service", [""]), "scope": form.get("scope", [])}
            self.grant(q, rt[3:], refresh=True)

        def do_GET(self):
            url = urlparse(self.path)
            if url.path == "/__stats":
                with lock:
                    return self.reply(200, stats)
            if url.path != "/token":
                return self.reply(404, {"error": "not found"})
            q = parse_qs(url.query)
            user = None
            auth = self.headers.get("Authorization", "")
            if auth.startswith("Basic "):
                name, _, pw = base64.b64decode(auth[6:]).decode().partition(":")
                if users.get(name) != pw:
                    with lock:
                        stats["refused"] += 1
                    return self.reply(401, {"errors": [{"code": "UNAUTHORIZED", "message": "bad credentials"}]})
                user = name
            self.grant(q, user)

        def grant(self, q, user, refresh=False):
            access = []
            for scope in q.get("scope", []):
                for s in scope.split(" "):
                    parts = s.split(":")
                    if len(parts) < 3 or parts[0] != "repository":
                        continue
                    actions = parts[-1].split(",")
                    if user is None:
                        actions = [a for a in actions if a == "pull"]
                    access.append({"type": "repository", "name": ":".join(parts[1:-1]), "actions": actions})
            now = int(time.time())
            claims = {"iss": args.issuer, "sub": user or "", "aud": q.get("service", [""])[0], "exp": now + 300,
                      "nbf": now - 10, "iat": now, "jti": str(uuid.uuid4()), "access": access}
            with lock:
                stats["token_requests"] += 1
                stats["scopes"].append(q.get("scope", []))
            token = sign(claims)
            if refresh:
                stats["refresh_grants"] = stats.get("refresh_grants", 0) + 1
                return self.reply(200, {"access_token": token, "expires_in": 300, "scope": " ".join(q.get("scope", []))})
            self.reply(200, {"token": token, "access_token": token, "expires_in": 300})

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print("PORT %d" % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
