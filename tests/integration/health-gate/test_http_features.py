"""HTTP features of the shared runtime (tools/kit/http.cpp) as health-gate uses them: proxy
environment variables, a hashed SSL_CERT_DIR, and HTTP/2 where the server offers it. Every
service, the proxy included, runs on 127.0.0.1, and every run has a clean environment (PATH and
what the test sets), as in a container, so nothing of this machine's own settings leaks in."""
import base64
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import unittest

from forward_proxy import ForwardProxy
from tls import make_test_ca
from yonima_test import HttpService, ToolTest, free_port, run_tool

# A run that should pass passes on its first probe; one that should fail gives up after 1s.
FAST = ["--interval", "100ms", "--request-timeout", "2s", "--timeout", "1s"]
OK = {"status": 200, "json": {"status": "ok"}}


def gate(*args, env=None):
    return run_tool("health-gate", *args, *FAST, env=env or {}, clean_env=True)


class ProxyTest(ToolTest):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.TemporaryDirectory()
        cls.ca, cert, key = make_test_ca(cls.dir.name)
        cls.svc = HttpService({"/health": [OK]})
        cls.tls_svc = HttpService({"/health": [OK]}, tls_cert=cert, tls_key=key)
        cls.proxy = ForwardProxy()

    @classmethod
    def tearDownClass(cls):
        cls.proxy.stop()
        cls.tls_svc.stop()
        cls.svc.stop()
        cls.dir.cleanup()

    def setUp(self):
        self.proxy.clear()

    def forwarded(self):
        return [(r["method"], r["target"]) for r in self.proxy.log()]

    def test_http_proxy_lower_and_upper_case(self):
        # libcurl alone ignores the upper-case HTTP_PROXY; the runtime honours it (runners often set only it).
        for var in ["http_proxy", "HTTP_PROXY"]:
            with self.subTest(var=var):
                self.proxy.clear()
                r = gate("--url", self.svc.url(), "--expect-json", "/status=ok", env={var: self.proxy.url})
                self.assertExit(r, 0)
                self.assertEqual(self.forwarded(), [("GET", self.svc.url())])

    def test_lower_case_http_proxy_wins_over_upper_case(self):
        dead = "http://127.0.0.1:%d" % free_port()
        r = gate("--url", self.svc.url(), env={"http_proxy": self.proxy.url, "HTTP_PROXY": dead})
        self.assertExit(r, 0)
        self.assertEqual(self.forwarded(), [("GET", self.svc.url())])

    def test_the_proxy_is_on_the_path(self):
        # The service is up, but the proxy named is not: every probe fails, so they did go to the proxy.
        dead = "http://127.0.0.1:%d" % free_port()
        for var in ["http_proxy", "HTTP_PROXY"]:
            with self.subTest(var=var):
                r = gate("--url", self.svc.url(), env={var: dead})
                self.assertExit(r, 1)
                self.assertTrue(r.outputs["reason"].startswith("connection refused"), r.outputs["reason"])

    def test_no_proxy_bypasses_the_proxy(self):
        before = self.svc.stats().get("/health", 0)
        for var in ["NO_PROXY", "no_proxy"]:
            for no_proxy in ["127.0.0.1", "localhost,127.0.0.1", "127.0.0.0/8", "*"]:
                with self.subTest(var=var, no_proxy=no_proxy):
                    r = gate("--url", self.svc.url(),
                             env={"http_proxy": self.proxy.url, "HTTP_PROXY": self.proxy.url, var: no_proxy})
                    self.assertExit(r, 0)
                    self.assertEqual(self.forwarded(), [])
        # They reached the service directly.
        self.assertGreaterEqual(self.svc.stats()["/health"], before + 8)
        # A no_proxy for another host leaves the proxy in use.
        r = gate("--url", self.svc.url(), env={"http_proxy": self.proxy.url, "NO_PROXY": "example.com,10.0.0.0/8"})
        self.assertExit(r, 0)
        self.assertEqual(self.forwarded(), [("GET", self.svc.url())])

    def test_https_proxy_tunnels_with_connect(self):
        target = "127.0.0.1:%d" % self.tls_svc.port
        for var in ["https_proxy", "HTTPS_PROXY"]:
            with self.subTest(var=var):
                self.proxy.clear()
                # TLS is end to end through the tunnel: the service's certificate is still verified.
                r = gate("--url", self.tls_svc.url(), env={var: self.proxy.url, "SSL_CERT_FILE": self.ca})
                self.assertExit(r, 0)
                self.assertEqual(self.forwarded(), [("CONNECT", target)])
        # http_proxy is for http:// URLs only.
        self.proxy.clear()
        r = gate("--url", self.tls_svc.url(), env={"http_proxy": self.proxy.url, "SSL_CERT_FILE": self.ca})
        self.assertExit(r, 0)
        self.assertEqual(self.forwarded(), [])

    def test_all_proxy_serves_both_schemes(self):
        for var in ["all_proxy", "ALL_PROXY"]:
            with self.subTest(var=var):
                self.proxy.clear()
                r = gate("--url", self.svc.url(), "--url", self.tls_svc.url(),
                         env={var: self.proxy.url, "SSL_CERT_FILE": self.ca})
                self.assertExit(r, 0)
                self.assertEqual(sorted(self.forwarded()),
                                 [("CONNECT", "127.0.0.1:%d" % self.tls_svc.port), ("GET", self.svc.url())])

    def test_proxy_credentials_are_sent_and_not_shown(self):
        proxy = self.proxy.url.replace("http://", "http://deployer:pr0xy-s3cret@")
        r = run_tool("health-gate", "--url", self.svc.url(), "--verbose", "--json", *FAST, clean_env=True,
                     env={"http_proxy": proxy})
        self.assertExit(r, 0)
        log = self.proxy.log()
        self.assertEqual(len(log), 1)
        self.assertEqual(log[0]["proxy_authorization"], "Basic " + base64.b64encode(b"deployer:pr0xy-s3cret").decode())
        for text in [r.stdout, r.stderr, r.summary, json.dumps(r.outputs)]:
            self.assertNotIn("pr0xy-s3cret", text)


def hashed_cert_dir(path, ca):
    """A directory OpenSSL can search by subject hash: the CA plus its <hash>.0 link."""
    os.makedirs(path)
    shutil.copy(ca, os.path.join(path, "yonima-test-ca.pem"))
    subprocess.run(["openssl", "rehash", path], check=True, capture_output=True)
    links = [n for n in os.listdir(path) if n.endswith(".0")]
    if len(links) != 1:
        raise RuntimeError("openssl rehash made %r in %s" % (links, path))
    return path


class CertDirTest(ToolTest):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.TemporaryDirectory()
        cls.ca, cert, key = make_test_ca(cls.dir.name)
        cls.hashed = hashed_cert_dir(os.path.join(cls.dir.name, "hashed"), cls.ca)
        # The same certificate without the hash link: OpenSSL cannot find it there.
        cls.unhashed = os.path.join(cls.dir.name, "unhashed")
        os.makedirs(cls.unhashed)
        shutil.copy(cls.ca, os.path.join(cls.unhashed, "yonima-test-ca.pem"))
        other = os.path.join(cls.dir.name, "other")
        os.makedirs(other)
        cls.other_ca = make_test_ca(other, ca_name="another test CA")[0]
        cls.svc = HttpService({"/health": [OK]}, tls_cert=cert, tls_key=key)

    @classmethod
    def tearDownClass(cls):
        cls.svc.stop()
        cls.dir.cleanup()

    def test_ssl_cert_dir_alone_verifies(self):
        # No --cacert, no SSL_CERT_FILE: only the hashed directory knows the CA.
        r = gate("--url", self.svc.url(), "--expect-json", "/status=ok", env={"SSL_CERT_DIR": self.hashed})
        self.assertExit(r, 0)

    def test_the_directory_is_searched_by_hash(self):
        r = gate("--url", self.svc.url(), env={"SSL_CERT_DIR": self.unhashed})
        self.assertExit(r, 1)
        self.assertTrue(r.outputs["reason"].startswith("TLS error"), r.outputs["reason"])

    def test_ssl_cert_dir_adds_to_ssl_cert_file(self):
        # Both set, as on many machines: a bundle without this CA, and the directory with it.
        r = gate("--url", self.svc.url(), env={"SSL_CERT_FILE": self.other_ca, "SSL_CERT_DIR": self.hashed})
        self.assertExit(r, 0)

    def test_cacert_replaces_the_environment(self):
        r = gate("--url", self.svc.url(), "--cacert", self.other_ca,
                 env={"SSL_CERT_DIR": self.hashed})
        self.assertExit(r, 1)
        self.assertTrue(r.outputs["reason"].startswith("TLS error"), r.outputs["reason"])
        r = gate("--url", self.svc.url(), "--cacert", self.ca, env={"SSL_CERT_DIR": self.unhashed})
        self.assertExit(r, 0)


class Nghttpd:
    """nghttpd (Debian's nghttp2-server, installed by scripts/setup.sh): an HTTP/2-only server,
    serving the files of a directory over TLS on 127.0.0.1."""

    def __init__(self, docroot, cert, key):
        binary = shutil.which("nghttpd") or "/usr/sbin/nghttpd"
        if not os.access(binary, os.X_OK):
            raise AssertionError("nghttpd not found: run scripts/setup.sh (it installs nghttp2-server)")
        self.port = free_port()
        self.proc = subprocess.Popen([binary, "--address=127.0.0.1", "--htdocs=" + docroot, str(self.port), key, cert],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("nghttpd did not start on 127.0.0.1:%d" % self.port)
                time.sleep(0.05)

    def url(self, path="/health"):
        return "https://127.0.0.1:%d%s" % (self.port, path)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
        self.proc.wait(timeout=10)


class Http2Test(ToolTest):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.TemporaryDirectory()
        cls.ca, cert, key = make_test_ca(cls.dir.name)
        docroot = os.path.join(cls.dir.name, "htdocs")
        os.makedirs(docroot)
        with open(os.path.join(docroot, "health"), "w") as f:
            json.dump({"status": "ok", "version": "2.0.0"}, f)
        cls.h2 = Nghttpd(docroot, cert, key)
        cls.h1 = HttpService({"/health": [OK]}, tls_cert=cert, tls_key=key)

    @classmethod
    def tearDownClass(cls):
        cls.h1.stop()
        cls.h2.stop()
        cls.dir.cleanup()

    def test_h2_is_negotiated_where_offered(self):
        r = run_tool("health-gate", "--url", self.h2.url(), "--cacert", self.ca, "--expect-json", "/status=ok",
                     "--expect-version", "2.0.0", "--successes", "2", "--json", "--verbose", *FAST, clean_env=True)
        self.assertExit(r, 0)
        probes = r.json()["probes"]
        self.assertEqual(len(probes), 2)
        self.assertEqual([p["http_version"] for p in probes], ["2", "2"])
        self.assertIn("healthy in", r.stderr)
        self.assertIn("over HTTP/2", r.stderr)
        self.assertEqual(r.outputs["served-version"], "2.0.0")

    def test_http_1_1_where_h2_is_not_offered(self):
        r = run_tool("health-gate", "--url", self.h1.url(), "--cacert", self.ca, "--json", "--verbose", *FAST,
                     clean_env=True)
        self.assertExit(r, 0)
        self.assertEqual([p["http_version"] for p in r.json()["probes"]], ["1.1"])
        self.assertIn("over HTTP/1.1", r.stderr)

    def test_no_http_version_without_an_answer(self):
        r = run_tool("health-gate", "--url", "http://127.0.0.1:%d/health" % free_port(),
                     "--json", *FAST, clean_env=True)
        self.assertExit(r, 1)
        self.assertTrue(all(p["http_version"] == "" for p in r.json()["probes"]))


if __name__ == "__main__":
    unittest.main()
