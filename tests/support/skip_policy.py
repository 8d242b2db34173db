"""A skipped test is not a passed test. Under CI (env CI set, as .ci/run and GitHub Actions do) every
skip becomes a failure carrying its reason, so a missing tool (npm, Prisma, squawk, actionlint)
cannot turn into a green run. On a developer's machine a skip stays a skip, with a warning on
stderr, and run_test.py tells ctest so it lists the test as "Skipped" instead of "Passed"."""
import os
import sys
import unittest

SKIPPED = []  # (test, reason) of every skip in this process


class SkippedUnderCI(AssertionError):
    pass


def under_ci():
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def install():
    if getattr(unittest.TestResult.addSkip, "_yonima_policy", False):
        return
    original = unittest.TestResult.addSkip

    def add_skip(self, test, reason):
        if under_ci():
            try:
                raise SkippedUnderCI("skipped under CI, which counts as a failure (CI is set): %s" % reason)
            except SkippedUnderCI:
                self.addFailure(test, sys.exc_info())
            return
        SKIPPED.append((str(test), reason))
        sys.stderr.write("WARNING: test skipped (it would fail under CI): %s: %s\n" % (test, reason))
        original(self, test, reason)

    add_skip._yonima_policy = True
    unittest.TestResult.addSkip = add_skip
