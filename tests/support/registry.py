"""Debian's docker-registry on 127.0.0.1 for integration tests: plain, htpasswd basic auth, or
token auth behind a small token server (token_server.py); a fault-injection proxy in front of
any of them (fault_proxy.py); a stand-in for the OCI 1.1 referrers API that docker-registry 2.8
lacks (referrers_proxy.py); and test images built with umoci + skopeo (no Docker engine)."""
import base64
import hashlib
import json
import os
import re
import shutil
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

from yonima_test import free_port

SUPPORT = os.path.dirname(os.path.abspath(__file__))


def _wait_http(url, proc, timeout=20, what="service"):
    deadline = time.time() + timeout
    # A TLS registry's own test certificate is not worth trusting for a readiness probe.
    ctx = ssl._create_unverified_context() if url.startswith("https://") else None
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("%s exited with %s" % (what, proc.returncode))
        try:
            urllib.request.urlopen(url, timeout=1, context=ctx)
            return
        except urllib.error.HTTPError:
            return  # answering, even if 401
        except Exception:
            time.sleep(0.05)
    raise RuntimeError("%s did not answer at %s" % (what, url))


class Registry:
    """One docker-registry instance. auth: None, "htpasswd" (user/pass) or "token". tls: serve
    HTTPS with a self-signed certificate for 127.0.0.1 (its path in .cert, for --cacert)."""

    def __init__(self, auth=None, users=None, root=None, tls=False):
        self.dir = tempfile.mkdtemp(prefix="yonima-registry-")
        self.port = free_port()
        self.users = users or {"ci": "s3cret"}
        self.token_server = None
        cfg = {"version": 0.1, "log": {"level": "info", "accesslog": {"disabled": False}},
               "storage": {"filesystem": {"rootdirectory": root or os.path.join(self.dir, "data")},
                           "delete": {"enabled": True}, "cache": {"blobdescriptor": "inmemory"}},
               "http": {"addr": "127.0.0.1:%d" % self.port}}
        if auth == "htpasswd":
            lines = []
            for u, p in self.users.items():
                lines.append(subprocess.run(["htpasswd", "-Bbn", u, p], check=True, capture_output=True,
                                            text=True).stdout.strip())
            path = os.path.join(self.dir, "htpasswd")
            with open(path, "w") as f:
                f.write("\n".join(lines) + "\n")
            cfg["auth"] = {"htpasswd": {"realm": "yonima-test", "path": path}}
        elif auth == "token":
            self.token_server = TokenServer(self.dir, self.users)
            cfg["auth"] = {"token": {"realm": self.token_server.url, "service": "yonima-test-registry",
                                     "issuer": "yonima-test-token-server", "rootcertbundle": self.token_server.cert}}
        self.tls = tls
        self.cert = None
        if tls:
            self.cert = os.path.join(self.dir, "registry.crt")
            key = os.path.join(self.dir, "registry.key")
            subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", self.cert,
                            "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                           check=True, capture_output=True)
            cfg["http"]["tls"] = {"certificate": self.cert, "key": key}
        # JSON is YAML: docker-registry reads it as its config file.
        self.config = os.path.join(self.dir, "config.yml")
        with open(self.config, "w") as f:
            json.dump(cfg, f)
        self.log_path = os.path.join(self.dir, "registry.log")
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(["docker-registry", "serve", self.config], stdout=self.log, stderr=self.log)
        try:
            _wait_http("%s://127.0.0.1:%d/v2/" % ("https" if tls else "http", self.port), self.proc, what="docker-registry")
        except Exception:
            self.stop()
            raise

    @property
    def host(self):
        return "127.0.0.1:%d" % self.port

    def access_log(self):
        """The HTTP requests the registry served, as (method, path, status) tuples."""
        out = []
        with open(self.log_path) as f:
            for line in f:
                m = re.search(r'"(GET|HEAD|PUT|POST|PATCH|DELETE) (\S+) HTTP/[\d.]+" (\d+)', line)
                if m:
                    out.append((m.group(1), m.group(2), int(m.group(3))))
        return out

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.log.close()
        if self.token_server:
            self.token_server.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    # --- direct API access for assertions (anonymous or basic) ---
    def _request(self, method, path, headers=None, data=None, auth=None):
        scheme = "https" if self.tls else "http"
        req = urllib.request.Request("%s://%s%s" % (scheme, self.host, path), method=method, data=data,
                                     headers=headers or {})
        if auth:
            req.add_header("Authorization", "Basic " + base64.b64encode(("%s:%s" % auth).encode()).decode())
        ctx = ssl._create_unverified_context() if self.tls else None
        return urllib.request.urlopen(req, timeout=10, context=ctx)

    def resolve(self, repo, ref, auth=None):
        """The digest `repo:ref` points at, or None."""
        accept = ", ".join(["application/vnd.oci.image.index.v1+json", "application/vnd.oci.image.manifest.v1+json",
                            "application/vnd.docker.distribution.manifest.list.v2+json",
                            "application/vnd.docker.distribution.manifest.v2+json"])
        try:
            r = self._request("HEAD", "/v2/%s/manifests/%s" % (repo, ref), {"Accept": accept}, auth=auth)
            return r.headers["Docker-Content-Digest"]
        except urllib.error.HTTPError as e:
            if e.code == 404:
                return None
            raise

    def tags(self, repo, auth=None):
        try:
            return json.loads(self._request("GET", "/v2/%s/tags/list" % repo, auth=auth).read()).get("tags") or []
        except urllib.error.HTTPError as e:
            if e.code == 404:
                return []
            raise


class TokenServer:
    """A Docker token service (the bearer flow): checks basic credentials, grants the scopes asked
    for, and signs an RS256 JWT with a key whose self-signed certificate the registry trusts."""

    def __init__(self, workdir, users):
        self.key = os.path.join(workdir, "token.key")
        self.cert = os.path.join(workdir, "token.crt")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", self.key, "-out",
                        self.cert, "-days", "2", "-subj", "/CN=yonima-test-token-server"],
                       check=True, capture_output=True)
        self.users_file = os.path.join(workdir, "token-users.json")
        with open(self.users_file, "w") as f:
            json.dump(users, f)
        self.proc = subprocess.Popen([sys.executable, os.path.join(SUPPORT, "token_server.py"), "--key", self.key,
                                      "--cert", self.cert, "--users", self.users_file],
                                     stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("PORT "):
            raise RuntimeError("token server did not start: %r" % line)
        self.port = int(line.split()[1])
        self.url = "http://127.0.0.1:%d/token" % self.port

    def stats(self):
        return json.loads(urllib.request.urlopen("http://127.0.0.1:%d/__stats" % self.port, timeout=5).read())

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)


class FaultProxy:
    """fault_proxy.py in front of a registry: 500s, 429 + Retry-After and connection resets at
    random (fixed seed). rate = probability that a request is faulted."""

    def __init__(self, registry, rate=0.1, seed=1234):
        self.proc = subprocess.Popen([sys.executable, os.path.join(SUPPORT, "fault_proxy.py"), "--upstream",
                                      registry.host, "--rate", str(rate), "--seed", str(seed)],
                                     stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("PORT "):
            raise RuntimeError("fault proxy did not start: %r" % line)
        self.port = int(line.split()[1])

    @property
    def host(self):
        return "127.0.0.1:%d" % self.port

    def set_rate(self, rate):
        urllib.request.urlopen("http://127.0.0.1:%d/__rate?%s" % (self.port, rate), timeout=5).read()

    def set_rules(self, rules):
        """Targeted faults (see fault_proxy.py): [{"method", "path" (regex), "status", "headers",
        "skip", "times", "late", "delay"}]; [] removes them."""
        req = urllib.request.Request("http://127.0.0.1:%d/__rules" % self.port, method="PUT",
                                     data=json.dumps({"rules": rules}).encode())
        urllib.request.urlopen(req, timeout=5).read()

    def stats(self):
        return json.loads(urllib.request.urlopen("http://127.0.0.1:%d/__stats" % self.port, timeout=5).read())

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)


class ReferrersProxy:
    """referrers_proxy.py in front of a registry: a stand-in for the OCI 1.1 referrers API that
    Debian's docker-registry 2.8 lacks. Manifests with a `subject` pushed through it are listed at
    /v2/<name>/referrers/<digest>, page_size per page (Link: rel="next")."""

    def __init__(self, registry, page_size=1):
        self.proc = subprocess.Popen([sys.executable, os.path.join(SUPPORT, "referrers_proxy.py"), "--upstream",
                                      registry.host, "--page-size", str(page_size)],
                                     stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("PORT "):
            raise RuntimeError("referrers stand-in did not start: %r" % line)
        self.port = int(line.split()[1])

    @property
    def host(self):
        return "127.0.0.1:%d" % self.port

    def fail_with(self, status):
        """The referrers endpoint answers `status` (0: normally again)."""
        req = urllib.request.Request("http://%s/__referrers" % self.host, method="PUT",
                                     data=json.dumps({"status": status}).encode())
        urllib.request.urlopen(req, timeout=5).read()

    def stats(self):
        return json.loads(urllib.request.urlopen("http://%s/__stats" % self.host, timeout=5).read())

    def referrers(self, repo, digest):
        """Every referrer of repo@digest, following Link pages."""
        out, path = [], "/v2/%s/referrers/%s" % (repo, digest)
        while path:
            r = urllib.request.urlopen("http://%s%s" % (self.host, path), timeout=5)
            out += json.loads(r.read())["manifests"]
            link = r.headers.get("Link") or ""
            m = re.match(r"<([^>]+)>", link)
            path = m.group(1) if m else None
        return out

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)


def push_referrer(host, repo, subject, artifact_type, payload, media_type="application/json"):
    """Pushes an OCI 1.1 artifact (empty config, one layer = payload, `subject` = the descriptor
    given) by digest only, with no tag, over the plain distribution API; returns its digest."""
    def upload(data):
        d = _sha(data)
        r = urllib.request.urlopen(urllib.request.Request("http://%s/v2/%s/blobs/uploads/" % (host, repo),
                                                          method="POST", data=b""), timeout=10)
        loc = r.headers["Location"]
        if loc.startswith("/"):
            loc = "http://" + host + loc
        loc += ("&" if "?" in loc else "?") + "digest=" + d
        urllib.request.urlopen(urllib.request.Request(loc, method="PUT", data=data,
                                                      headers={"Content-Type": "application/octet-stream"}),
                               timeout=10).read()
        return {"digest": d, "size": len(data)}
    empty = upload(b"{}")
    layer = upload(payload)
    m = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json", "artifactType": artifact_type,
         "config": dict(empty, mediaType="application/vnd.oci.empty.v1+json"),
         "layers": [dict(layer, mediaType=media_type)], "subject": subject,
         "annotations": {"org.opencontainers.image.created": "2026-11-24T00:00:00Z"}}
    return put_manifest(host, repo, m)


def put_manifest(host, repo, manifest, tag=None):
    """PUTs a manifest or index (a dict, its own mediaType) over the plain distribution API, by
    digest or under `tag`; returns its digest."""
    body = json.dumps(manifest).encode()
    d = _sha(body)
    urllib.request.urlopen(urllib.request.Request("http://%s/v2/%s/manifests/%s" % (host, repo, tag or d), method="PUT",
                                                  data=body, headers={"Content-Type": manifest["mediaType"]}),
                           timeout=10).read()
    return d


# --- images -------------------------------------------------------------------------------

def _sha(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _write_blob(layout, data):
    d = _sha(data)
    path = os.path.join(layout, "blobs", "sha256", d.split(":")[1])
    with open(path, "wb") as f:
        f.write(data)
    return {"digest": d, "size": len(data)}


def _tar_layer(files):
    """A gzip'd tar layer holding {name: bytes}, reproducible (fixed mtime)."""
    import gzip
    import io
    import tarfile
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as t:
        for name, data in sorted(files.items()):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 0
            t.addfile(info, io.BytesIO(data))
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", mtime=0) as g:
        g.write(raw.getvalue())
    return out.getvalue(), _sha(raw.getvalue())


class ImageBuilder:
    """Builds OCI layouts: umoci for a single image, hand-written indexes for multi-platform ones
    (cf. shared/notes/containers.md), pushed with skopeo."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="yonima-images-")
        self.layout = os.path.join(self.dir, "layout")
        subprocess.run(["umoci", "init", "--layout", self.layout], check=True, capture_output=True)

    def umoci_image(self, tag, content, labels=None):
        """A single-platform image built with umoci: one layer with /app.txt = content; `labels`
        go into its config (as `docker build --label` writes them)."""
        subprocess.run(["umoci", "new", "--image", "%s:%s" % (self.layout, tag)], check=True, capture_output=True)
        bundle = os.path.join(self.dir, "bundle-" + tag)
        subprocess.run(["umoci", "unpack", "--rootless", "--image", "%s:%s" % (self.layout, tag), bundle], check=True,
                       capture_output=True)
        with open(os.path.join(bundle, "rootfs", "app.txt"), "w") as f:
            f.write(content)
        subprocess.run(["umoci", "repack", "--image", "%s:%s" % (self.layout, tag), bundle], check=True,
                       capture_output=True)
        label_args = [a for k, v in (labels or {}).items() for a in ("--config.label", "%s=%s" % (k, v))]
        subprocess.run(["umoci", "config", "--image", "%s:%s" % (self.layout, tag), "--config.entrypoint", "/app",
                        "--clear=config.cmd", *label_args], check=True, capture_output=True)
        shutil.rmtree(bundle, ignore_errors=True)
        return tag

    def _manifest(self, content, arch, extra_bytes=0, docker=False):
        """arch may carry a variant: "arm64/v8", "arm/v7"."""
        arch, _, variant = arch.partition("/")
        layer, diff_id = _tar_layer({"app.txt": content.encode(), "pad.bin": os.urandom(extra_bytes) if extra_bytes else b""})
        lb = _write_blob(self.layout, layer)
        cfg = {"architecture": arch, "os": "linux", "config": {"Entrypoint": ["/app"]},
               "rootfs": {"type": "layers", "diff_ids": [diff_id]}, "history": []}
        if variant:
            cfg["variant"] = variant
        config = json.dumps(cfg).encode()
        cb = _write_blob(self.layout, config)
        if docker:
            m = {"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                 "config": dict(cb, mediaType="application/vnd.docker.container.image.v1+json"),
                 "layers": [dict(lb, mediaType="application/vnd.docker.image.rootfs.diff.tar.gzip")]}
        else:
            m = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                 "config": dict(cb, mediaType="application/vnd.oci.image.config.v1+json"),
                 "layers": [dict(lb, mediaType="application/vnd.oci.image.layer.v1.tar+gzip")]}
        body = json.dumps(m).encode()
        d = _write_blob(self.layout, body)
        platform = {"os": "linux", "architecture": arch}
        if variant:
            platform["variant"] = variant
        return dict(d, mediaType=m["mediaType"], platform=platform)

    def _tag(self, tag, descriptor):
        path = os.path.join(self.layout, "index.json")
        with open(path) as f:
            idx = json.load(f)
        idx["manifests"] = [m for m in (idx.get("manifests") or [])
                            if m.get("annotations", {}).get("org.opencontainers.image.ref.name") != tag]
        d = dict(descriptor)
        d.pop("platform", None)
        d["annotations"] = {"org.opencontainers.image.ref.name": tag}
        idx["manifests"].append(d)
        with open(path, "w") as f:
            json.dump(idx, f)

    def single(self, tag, content, arch="amd64", extra_bytes=0):
        """A single-platform OCI image with one layer (extra_bytes of random padding)."""
        self._tag(tag, self._manifest(content, arch, extra_bytes))
        return tag

    def layout_with_layers(self, tag, sizes, arch="amd64"):
        """A single image with one random, uncompressed-looking layer per size (for benchmarks)."""
        layers, diff_ids = [], []
        for n in sizes:
            data = os.urandom(n)
            d = _write_blob(self.layout, data)
            layers.append(dict(d, mediaType="application/vnd.oci.image.layer.v1.tar"))
            diff_ids.append(d["digest"])
        config = json.dumps({"architecture": arch, "os": "linux", "config": {},
                             "rootfs": {"type": "layers", "diff_ids": diff_ids}}).encode()
        cb = _write_blob(self.layout, config)
        m = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
             "config": dict(cb, mediaType="application/vnd.oci.image.config.v1+json"), "layers": layers}
        body = json.dumps(m).encode()
        self._tag(tag, dict(_write_blob(self.layout, body), mediaType=m["mediaType"]))
        return tag

    def multi(self, tag, content, archs=("amd64", "arm64")):
        """A multi-platform OCI index (push with docker_format=True for a Docker manifest list);
        an arch may name a variant ("arm64/v8")."""
        children = [self._manifest(content + "-" + a.replace("/", "-"), a) for a in archs]
        mt = "application/vnd.oci.image.index.v1+json"
        body = json.dumps({"schemaVersion": 2, "mediaType": mt, "manifests": children}).encode()
        d = _write_blob(self.layout, body)
        self._tag(tag, dict(d, mediaType=mt))
        return tag

    def signature_for(self, tag, subject_digest):
        """A cosign-style signature artifact (an OCI manifest) for the tag scheme."""
        payload = json.dumps({"critical": {"image": {"docker-manifest-digest": subject_digest}}}).encode()
        pb = _write_blob(self.layout, payload)
        cb = _write_blob(self.layout, b"{}")
        m = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
             "config": dict(cb, mediaType="application/vnd.oci.image.config.v1+json"),
             "layers": [dict(pb, mediaType="application/vnd.dev.cosign.simplesigning.v1+json",
                             annotations={"dev.cosignproject.cosign/signature": "MEUCIQ-test"})]}
        body = json.dumps(m).encode()
        d = _write_blob(self.layout, body)
        self._tag(tag, dict(d, mediaType=m["mediaType"]))
        return tag

    def push(self, tag, registry_host, repo, dest_tag=None, creds=None, docker_format=False):
        """skopeo copy --all of layout:tag to registry/repo:dest_tag (plain HTTP); returns the digest.
        docker_format: convert to Docker schema 2 (a manifest list for an index)."""
        cmd = ["skopeo", "copy", "--all", "--dest-tls-verify=false"]
        cmd += ["--format", "v2s2"] if docker_format else ["--preserve-digests"]
        if creds:
            cmd += ["--dest-creds", "%s:%s" % creds]
        digest_file = os.path.join(self.dir, "digest")
        cmd += ["--digestfile", digest_file, "oci:%s:%s" % (self.layout, tag),
                "docker://%s/%s:%s" % (registry_host, repo, dest_tag or tag)]
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if p.returncode != 0:
            raise RuntimeError("skopeo push failed: " + p.stderr)
        with open(digest_file) as f:
            return f.read().strip()

    def cleanup(self):
        shutil.rmtree(self.dir, ignore_errors=True)


def read_history(registry, repo, tag):
    """The promotion history image-promote keeps for repo:tag (entries newest first), read
    straight from the registry; (manifest digest, entries) or (None, [])."""
    digest = registry.resolve(repo, "_yonima-history-" + tag)
    if not digest:
        return None, []
    m = json.loads(registry._request("GET", "/v2/%s/manifests/%s" % (repo, digest),
                                     {"Accept": "application/vnd.oci.image.manifest.v1+json"}).read())
    entries = (m.get("annotations") or {}).get("dev.yonima.promotion-history")
    if entries is None:  # written by an earlier version: the entries are in the config blob
        entries = registry._request("GET", "/v2/%s/blobs/%s" % (repo, m["config"]["digest"])).read()
    return digest, json.loads(entries)["entries"]


class HostileRegistry:
    """hostile_registry.py: a stand-in for a broken or malicious registry (endless blob, a
    manifest dripping one byte per second, an index nested `depth` levels deep)."""

    def __init__(self, depth=3000):
        self.proc = subprocess.Popen([sys.executable, os.path.join(SUPPORT, "hostile_registry.py"), "--depth", str(depth)],
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("PORT "):
            raise RuntimeError("hostile registry stand-in did not start: %r" % line)
        self.port = int(line.split()[1])

    @property
    def host(self):
        return "127.0.0.1:%d" % self.port

    def stats(self):
        return json.loads(urllib.request.urlopen("http://%s/__stats" % self.host, timeout=5).read())

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)
