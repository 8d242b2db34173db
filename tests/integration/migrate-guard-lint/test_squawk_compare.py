"""Our linter against squawk 2.66 on the shared corpus: per statement, every rule we map to a squawk
rule must agree, except the differences documented below (and in docs/migrate-guard-lint.md,
"Compared with squawk"). Each documented difference must still occur, so the list stays honest.
Skips only when npm is not installed; squawk is installed into .cache/squawk on first use."""
import collections
import os
import unittest

from lint_support import corpus_files, ensure_squawk, lint_with_driver, squawk_findings

# Our rule -> the squawk rules that report the same problem.
MAPPING = {
    "syntax-error": {"syntax-error"},
    "ban-drop-table": {"ban-drop-table"},
    "ban-drop-column": {"ban-drop-column"},
    "ban-drop-database": {"ban-drop-database"},
    "ban-drop-not-null": {"ban-drop-not-null"},
    "renaming-column": {"renaming-column"},
    "renaming-table": {"renaming-table"},
    "ban-truncate-cascade": {"ban-truncate-cascade"},
    "changing-column-type": {"changing-column-type"},
    "adding-not-nullable-field": {"adding-not-nullable-field"},
    "adding-required-field": {"adding-required-field"},
    "adding-field-with-default": {"adding-field-with-default"},
    "adding-serial-primary-key-field": {"adding-serial-primary-key-field"},
    "require-concurrent-index-creation": {"require-concurrent-index-creation"},
    "require-concurrent-index-deletion": {"require-concurrent-index-deletion"},
    "concurrently-in-multi-statement-file": {"ban-concurrent-index-creation-in-transaction"},
    "constraint-missing-not-valid": {"constraint-missing-not-valid", "adding-foreign-key-constraint"},
    "disallowed-unique-constraint": {"disallowed-unique-constraint"},
    "prefer-timestamptz": {"prefer-timestamp-tz"},
    "require-lock-timeout": {"require-lock-timeout"},
    "transaction-nesting": {"transaction-nesting", "ban-uncommitted-transaction"},
}
SQUAWK_TO_OURS = {s: ours for ours, names in MAPPING.items() for s in names}
# Both tools report these once per file, at different statements (see the docs): compare per file.
PER_FILE = {"require-lock-timeout", "syntax-error"}

# (migration, our rule, who reports it): why. "squawk" = only squawk reports it, "ours" = only we do.
DOCUMENTED_DIFFERENCES = {
    ("20240101000000_init", "require-lock-timeout", "squawk"):
        "squawk counts CREATE EXTENSION / CREATE TABLE; the file locks no live table",
    ("20240118000000_create_index_concurrently", "require-lock-timeout", "squawk"):
        "CREATE INDEX CONCURRENTLY takes SHARE UPDATE EXCLUSIVE, which blocks no reads or writes",
    ("20240121000000_drop_index_concurrently", "require-lock-timeout", "squawk"):
        "DROP INDEX CONCURRENTLY takes SHARE UPDATE EXCLUSIVE",
    ("20240124000000_validate_foreign_key", "require-lock-timeout", "squawk"):
        "VALIDATE CONSTRAINT takes SHARE UPDATE EXCLUSIVE",
    ("20240127000000_unique_index_concurrently", "require-lock-timeout", "squawk"):
        "CREATE UNIQUE INDEX CONCURRENTLY takes SHARE UPDATE EXCLUSIVE",
    ("20240131000000_enum_add_value", "require-lock-timeout", "squawk"):
        "ALTER TYPE ... ADD VALUE locks no table",
    ("20240208000000_drop_database", "require-lock-timeout", "squawk"):
        "DROP DATABASE locks no table (and is banned by ban-drop-database)",
    ("20240126000000_add_unique_constraint", "constraint-missing-not-valid", "squawk"):
        "PostgreSQL has no NOT VALID for UNIQUE; we report disallowed-unique-constraint only",
    ("20240129000000_add_serial_primary_key", "adding-field-with-default", "ours"):
        "a serial column defaults to nextval(), which is VOLATILE: adding it to a live table rewrites it",
    ("20240209000000_create_then_alter_new_table", "adding-required-field", "squawk"):
        "the table was created earlier in the same file: it has no rows",
    ("20240209000000_create_then_alter_new_table", "adding-field-with-default", "squawk"):
        "the table was created earlier in the same file: the rewrite is of an empty table",
    ("20240209000000_create_then_alter_new_table", "changing-column-type", "squawk"):
        "the table was created earlier in the same file: nobody else can be using it",
}


def statement_of(line, spans):
    """The statement index holding a 1-based line; a line between statements belongs to the next."""
    for i, span in enumerate(spans):
        if span["line"] <= line <= span["end_line"]:
            return i
    for i, span in enumerate(spans):
        if span["line"] > line:
            return i
    return len(spans)


class SquawkCompareTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.squawk = ensure_squawk()
        if cls.squawk is None:
            raise unittest.SkipTest("npm is not installed: cannot install squawk-cli@2.66 to compare with")

    def compare(self):
        files = corpus_files()
        paths = [p for _, p in files]
        ours = lint_with_driver(paths)
        theirs = collections.defaultdict(list)
        for f in squawk_findings(self.squawk, paths):
            theirs[os.path.normpath(f["file"])].append(f)
        agreed, differences, unmapped = 0, {}, collections.Counter()
        for name, path in files:
            report = ours[path]
            spans = report["spans"]
            key = lambda rule, stmt: (rule, None if rule in PER_FILE else stmt)
            mine = {key(f["rule"], f["statement"]) for f in report["findings"] if f["rule"] in MAPPING}
            other = set()
            for f in theirs[os.path.normpath(path)]:
                rule = SQUAWK_TO_OURS.get(f["rule_name"])
                if rule is None:
                    unmapped[f["rule_name"]] += 1
                    continue
                other.add(key(rule, statement_of(f["line"] + 1, spans)))  # squawk's lines are 0-based
            agreed += len(mine & other)
            for rule, stmt in mine - other:
                differences.setdefault((name, rule, "ours"), []).append(stmt)
            for rule, stmt in other - mine:
                differences.setdefault((name, rule, "squawk"), []).append(stmt)
        return agreed, differences, unmapped

    def test_findings_agree_with_squawk_except_documented_differences(self):
        agreed, differences, unmapped = self.compare()
        undocumented = {k: v for k, v in differences.items() if k not in DOCUMENTED_DIFFERENCES}
        self.assertEqual(undocumented, {}, "differences with squawk that docs/migrate-guard-lint.md does not explain")
        stale = sorted(set(DOCUMENTED_DIFFERENCES) - set(differences))
        self.assertEqual(stale, [], "documented differences that no longer occur: update the list and the docs")
        self.assertGreaterEqual(agreed, 35)
        print("\nsquawk %s comparison: %d (statement, rule) agreements, %d documented differences; "
              "squawk rules without a counterpart here: %s"
              % ("2.66", agreed, len(differences), dict(sorted(unmapped.items()))))


if __name__ == "__main__":
    unittest.main()
