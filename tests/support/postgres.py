"""A throwaway PostgreSQL 15 cluster (with PostGIS available) on 127.0.0.1, for integration tests.

initdb runs as the `postgres` user (PostgreSQL refuses root) in a temp dir; the server listens only
on 127.0.0.1 on a free port with fsync off. stop() stops it and deletes everything.

    pg = Postgres()            # started
    url = pg.create_database("app")
    pg.sql("app", "SELECT 1")  # via psql, returns stdout
    pg.stop()
"""
import os
import shutil
import subprocess
import tempfile
import time

from yonima_test import free_port

PG_BIN = os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin")


def _as_postgres(argv, **kw):
    if os.geteuid() == 0:
        argv = ["runuser", "-u", "postgres", "--"] + argv
    return subprocess.run(argv, capture_output=True, text=True, **kw)


class Postgres:
    def __init__(self, password="secret-pw-42", settings=None):
        self.dir = tempfile.mkdtemp(prefix="yonima-pg-")
        os.chmod(self.dir, 0o755)
        self.data = os.path.join(self.dir, "data")
        self.socket_dir = os.path.join(self.dir, "sock")
        os.mkdir(self.socket_dir)
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
            shutil.chown(self.socket_dir, "postgres", "postgres")
        self.port = free_port()
        self.user = "postgres"
        self.password = password
        pwfile = os.path.join(self.dir, "pw")
        with open(pwfile, "w") as f:
            f.write(password + "\n")
        if os.geteuid() == 0:
            shutil.chown(pwfile, "postgres", "postgres")
        r = _as_postgres([os.path.join(PG_BIN, "initdb"), "-D", self.data, "-U", "postgres", "--pwfile", pwfile,
                          "--auth-host=scram-sha-256", "--auth-local=trust", "-E", "UTF8", "--locale=C.UTF-8"])
        os.unlink(pwfile)
        if r.returncode != 0:
            raise RuntimeError("initdb failed: " + r.stderr)
        conf = {"listen_addresses": "'127.0.0.1'", "port": str(self.port), "fsync": "off", "synchronous_commit": "off",
                "full_page_writes": "off", "unix_socket_directories": "'%s'" % self.socket_dir, "max_connections": "50",
                "shared_buffers": "32MB", "log_min_messages": "warning"}
        conf.update(settings or {})
        with open(os.path.join(self.data, "postgresql.auto.conf"), "a") as f:
            for k, v in conf.items():
                f.write("%s = %s\n" % (k, v))
        self.log = os.path.join(self.dir, "server.log")
        r = _as_postgres([os.path.join(PG_BIN, "pg_ctl"), "-D", self.data, "-l", self.log, "-w", "-t", "60", "start"])
        if r.returncode != 0:
            log = open(self.log).read() if os.path.exists(self.log) else ""
            raise RuntimeError("pg_ctl start failed: %s %s" % (r.stderr, log[-2000:]))

    def url(self, db="postgres", user=None, password=None):
        user = user or self.user
        password = self.password if password is None else password
        auth = user + (":" + password if password else "")
        return "postgresql://%s@127.0.0.1:%d/%s" % (auth, self.port, db)

    def env(self, db="postgres"):
        """Environment for psql and other libpq clients (password via PGPASSWORD, never argv)."""
        return {"PGHOST": "127.0.0.1", "PGPORT": str(self.port), "PGUSER": self.user, "PGPASSWORD": self.password,
                "PGDATABASE": db}

    def psql(self, db, sql, check=True, timeout=60):
        env = dict(os.environ)
        env.update(self.env(db))
        r = subprocess.run([os.path.join(PG_BIN, "psql"), "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-c", sql],
                           env=env, capture_output=True, text=True, timeout=timeout)
        if check and r.returncode != 0:
            raise RuntimeError("psql failed on %r: %s" % (sql[:200], r.stderr))
        return r

    def sql(self, db, sql, **kw):
        return self.psql(db, sql, **kw).stdout.strip()

    def rows(self, db, sql):
        out = self.sql(db, sql)
        return [line.split("|") for line in out.split("\n")] if out else []

    def create_database(self, name):
        self.sql("postgres", 'DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % name)
        self.sql("postgres", 'CREATE DATABASE "%s"' % name)
        return self.url(name)

    def stop(self):
        if os.path.isdir(self.data):
            _as_postgres([os.path.join(PG_BIN, "pg_ctl"), "-D", self.data, "-m", "immediate", "-w", "stop"])
        shutil.rmtree(self.dir, ignore_errors=True)
