"""migrate-guard over TLS to a real PostgreSQL 15 that refuses every connection without TLS.

The shipped binaries link libpq against the OpenSSL that scripts/build-deps.sh builds with the
algorithms no TLS peer negotiates left out (docs/images.md): this is the check that libpq still
speaks TLS with it (SCRAM over TLS, verify-full against a test CA), and that a certificate from
another CA is refused with a message that names it and leaks no password.
"""
import os
import shutil
import subprocess
import tempfile
import unittest

from mg import MigrateGuardTest, PASSWORD, out
from postgres import PG_BIN, Postgres, _as_postgres
from tls import make_test_ca


class TlsTest(MigrateGuardTest):
    @classmethod
    def setUpClass(cls):
        cls.certs = tempfile.mkdtemp(prefix="mg-tls-")
        os.chmod(cls.certs, 0o755)
        cls.ca, crt, key = make_test_ca(cls.certs, "yonima pg test CA")
        other = os.path.join(cls.certs, "other")
        os.mkdir(other)
        cls.other_ca = make_test_ca(other, "yonima other CA")[0]
        os.chmod(key, 0o600)
        if os.geteuid() == 0:
            shutil.chown(key, "postgres", "postgres")
        cls.pg = Postgres(password=PASSWORD, settings={"ssl": "on", "ssl_cert_file": "'%s'" % crt, "ssl_key_file": "'%s'" % key})
        # Only TLS connections over TCP: a success below cannot have been made in clear text.
        hba = os.path.join(cls.pg.data, "pg_hba.conf")
        with open(hba) as f:
            rules = f.read()
        with open(hba, "w") as f:
            f.write("local all all trust\nhostnossl all all 0.0.0.0/0 reject\nhostssl all all 127.0.0.1/32 scram-sha-256\n" + rules)
        r = _as_postgres([os.path.join(PG_BIN, "pg_ctl"), "-D", cls.pg.data, "-w", "reload"])
        assert r.returncode == 0, r.stderr

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        shutil.rmtree(cls.certs, ignore_errors=True)

    def test_deploy_over_verified_tls(self):
        self.add("20240101000000_init", 'CREATE TABLE "User" ("id" SERIAL PRIMARY KEY, "email" TEXT NOT NULL);\n')
        r = self.run_mg("deploy", url=self.url + "?sslmode=verify-full&sslrootcert=" + self.ca)
        self.assertExit(r, 0)
        self.assertEqual(self.ledger(), [["20240101000000_init", "t", "f", "1", "f"]])
        self.assertNoSecret(r)

    def test_clear_text_is_refused_by_the_server(self):
        # The control for the test above: without TLS the server turns migrate-guard away.
        self.add("20240101000000_init", "SELECT 1;\n")
        r = self.run_mg("status", url=self.url + "?sslmode=disable")
        self.assertExit(r, 3)
        self.assertIn("no encryption", out(r))
        self.assertNoSecret(r)

    def test_a_certificate_from_another_ca_is_refused(self):
        self.add("20240101000000_init", "SELECT 1;\n")
        r = self.run_mg("status", url=self.url + "?sslmode=verify-full&sslrootcert=" + self.other_ca)
        self.assertExit(r, 3)
        self.assertIn("certificate verify failed", out(r))
        self.assertNoSecret(r)


if __name__ == "__main__":
    unittest.main()
