"""Shared by the migrate-guard-lint integration tests: the corpus, our linter's findings (through
the test driver built next to the binaries), and squawk 2.66 installed into .cache/squawk."""
import json
import os
import shutil
import subprocess

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
CORPUS = os.path.join(REPO, "tests", "lint-corpus", "prisma", "migrations")
EXPECTED = os.path.join(REPO, "tests", "lint-corpus", "expected.json")
BIN = os.environ.get("YONIMA_BIN", os.path.join(REPO, "build", "bin"))
DRIVER = os.path.join(BIN, "migrate-guard-lint-driver")
SQUAWK_VERSION = "2.66"
SQUAWK_CACHE = os.path.join(REPO, ".cache", "squawk")  # gitignored
SQUAWK = os.path.join(SQUAWK_CACHE, "node_modules", ".bin", "squawk")


def corpus_files():
    """(migration name, path relative to CORPUS) in apply order."""
    names = sorted(n for n in os.listdir(CORPUS) if os.path.isdir(os.path.join(CORPUS, n)))
    return [(n, os.path.join(n, "migration.sql")) for n in names]


def lint_with_driver(paths, cwd=CORPUS, sequence=False):
    """Our findings per file: {path: {"findings": [...], "spans": [...], ...}}."""
    if not os.access(DRIVER, os.X_OK):
        raise AssertionError("%s is missing: build it with `cmake --build <build> --target migrate-guard-lint-driver`" % DRIVER)
    args = [DRIVER] + (["--sequence"] if sequence else []) + list(paths)
    proc = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=120)
    if proc.returncode not in (0, 1):
        raise AssertionError("lint driver failed (exit %d): %s" % (proc.returncode, proc.stderr))
    return {f["path"]: f for f in json.loads(proc.stdout)}


def ensure_squawk():
    """Path of squawk 2.66, installed with npm on first use; None when npm is not available."""
    if not os.access(SQUAWK, os.X_OK):
        npm = shutil.which("npm")
        if not npm:
            return None
        os.makedirs(SQUAWK_CACHE, exist_ok=True)
        proc = subprocess.run([npm, "install", "--no-audit", "--no-fund", "--prefix", SQUAWK_CACHE,
                               "squawk-cli@" + SQUAWK_VERSION],
                              capture_output=True, text=True, timeout=300)
        if proc.returncode != 0 or not os.access(SQUAWK, os.X_OK):
            raise AssertionError("npm install squawk-cli@%s failed (exit %d): %s"
                                 % (SQUAWK_VERSION, proc.returncode, proc.stderr[-2000:]))
    version = subprocess.run([SQUAWK, "--version"], capture_output=True, text=True, timeout=30).stdout
    if ("squawk " + SQUAWK_VERSION + ".") not in version:
        raise AssertionError("expected squawk %s in %s, found %r" % (SQUAWK_VERSION, SQUAWK_CACHE, version))
    return SQUAWK


def squawk_findings(squawk, paths, cwd=CORPUS):
    """squawk's JSON findings. --assume-in-transaction: Prisma and migrate-guard send each file as
    one query, which PostgreSQL runs as one transaction."""
    proc = subprocess.run([squawk, "--assume-in-transaction", "--pg-version=15.0", "--reporter", "json"] + list(paths),
                          cwd=cwd, capture_output=True, text=True, timeout=300)
    if not proc.stdout.strip().startswith("["):
        raise AssertionError("squawk gave no JSON (exit %d): %s %s" % (proc.returncode, proc.stdout[-500:], proc.stderr[-2000:]))
    return json.loads(proc.stdout)
