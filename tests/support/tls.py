"""A throwaway certificate authority and a server certificate for 127.0.0.1, made with openssl."""
import os
import subprocess


def make_test_ca(directory, ca_name="yonima test CA"):
    """Returns (ca_cert, server_cert, server_key) paths; the server cert is valid for 127.0.0.1.
    Two CAs meant to be told apart need different names: OpenSSL looks issuers up by name."""
    def run(*args):
        subprocess.run(["openssl", *args], check=True, capture_output=True, cwd=directory)

    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=" + ca_name,
        "-keyout", "ca.key", "-out", "ca.crt")
    run("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", "server.key", "-out", "server.csr")
    with open(os.path.join(directory, "ext.cnf"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    run("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2",
        "-extfile", "ext.cnf", "-out", "server.crt")
    return tuple(os.path.join(directory, n) for n in ("ca.crt", "server.crt", "server.key"))
