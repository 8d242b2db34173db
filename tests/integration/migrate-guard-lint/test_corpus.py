"""The shared Prisma corpus (tests/lint-corpus) gives the findings recorded in expected.json, through
the linter library and through the shipped `migrate-guard lint --json` when it is built."""
import json
import os
import subprocess
import unittest

from lint_support import BIN, CORPUS, EXPECTED, corpus_files, lint_with_driver


def summarize(findings):
    return [("~" if f["suppressed"] else "") + "%s@%d:%d" % (f["rule"], f["line"], f["col"]) for f in findings]


class CorpusTest(unittest.TestCase):
    def test_corpus_findings_match_expected(self):
        with open(EXPECTED) as f:
            expected = json.load(f)
        files = corpus_files()
        self.assertEqual(sorted(expected), [n for n, _ in files], "expected.json must list every corpus migration")
        ours = lint_with_driver([p for _, p in files])
        for name, path in files:
            with self.subTest(migration=name):
                self.assertEqual(summarize(ours[path]["findings"]), expected[name])

    def test_every_rule_fires_somewhere_in_the_corpus(self):
        ours = lint_with_driver([p for _, p in corpus_files()])
        fired = {f["rule"] for r in ours.values() for f in r["findings"]}
        for rule in ["syntax-error", "ban-drop-table", "ban-drop-column", "ban-drop-database", "renaming-column",
                     "renaming-table", "changing-column-type", "adding-not-nullable-field", "adding-required-field",
                     "adding-field-with-default", "require-concurrent-index-creation",
                     "require-concurrent-index-deletion", "concurrently-in-multi-statement-file",
                     "constraint-missing-not-valid", "disallowed-unique-constraint", "adding-serial-primary-key-field",
                     "prefer-timestamptz", "require-lock-timeout", "transaction-nesting", "ban-truncate-cascade",
                     "ban-drop-not-null"]:
            self.assertIn(rule, fired)

    def test_history_knows_varchar_lengths(self):
        # Linted as one history, the widening and varchar->text changes are known safe; narrowing is not.
        ours = lint_with_driver([p for _, p in corpus_files()], sequence=True)
        rules = lambda name: [f["rule"] for f in ours[os.path.join(name, "migration.sql")]["findings"]]
        self.assertEqual(rules("20240114000000_widen_varchar"), [])
        self.assertEqual(rules("20240116000000_varchar_to_text"), [])
        self.assertEqual(rules("20240115000000_narrow_varchar"), ["changing-column-type"])

    @unittest.skipUnless(os.access(os.path.join(BIN, "migrate-guard"), os.X_OK), "migrate-guard binary not built")
    def test_shipped_binary_reports_the_same_findings(self):
        proc = subprocess.run([os.path.join(BIN, "migrate-guard"), "lint", "--dir", CORPUS, "--json"],
                              capture_output=True, text=True, timeout=120, env=dict(os.environ, GITHUB_ACTIONS=""))
        self.assertEqual(proc.returncode, 1, proc.stderr[-2000:])  # the corpus has unsuppressed errors
        doc = json.loads(proc.stdout)
        files = doc["lint"]["files"] if "lint" in doc else doc["files"]
        # The binary reads the folder as one history, as the driver's sequence mode does.
        ours = lint_with_driver([p for _, p in corpus_files()], sequence=True)
        self.assertEqual(len(files), len(ours))
        for f in files:
            name = os.path.basename(os.path.dirname(f["path"]))
            with self.subTest(migration=name):
                self.assertEqual(summarize(f["findings"]),
                                 summarize(ours[os.path.join(name, "migration.sql")]["findings"]))


if __name__ == "__main__":
    unittest.main()
