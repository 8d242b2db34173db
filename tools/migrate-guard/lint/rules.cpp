// The rule catalogue: names follow squawk's where squawk has the rule (docs/migrate-guard-lint.md
// maps each one). Destructive, rewriting and lock-holding rules are errors (deploy refuses them
// unless suppressed); style-level advice is a warning.
#include "internal.hpp"

namespace migrate_guard::lint {

const std::vector<RuleInfo>& rules() {
  static const std::vector<RuleInfo> all = {
      {"syntax-error", Severity::error, "PostgreSQL's parser rejects the statement."},
      {"ban-drop-database", Severity::error, "DROP DATABASE in a migration."},
      {"ban-drop-table", Severity::error, "DROP TABLE on a table that existed before the migration: data loss, and running code still uses it."},
      {"ban-drop-column", Severity::error, "DROP COLUMN on an existing table: data loss, and running code still reads it."},
      {"renaming-table", Severity::error, "RENAME of an existing table breaks the running version of the app."},
      {"renaming-column", Severity::error, "RENAME COLUMN on an existing table breaks the running version of the app."},
      {"ban-truncate-cascade", Severity::error, "TRUNCATE ... CASCADE empties every table that references it."},
      {"changing-column-type", Severity::error, "ALTER COLUMN TYPE rewrites the table under ACCESS EXCLUSIVE (except varchar widening, varchar to text)."},
      {"adding-not-nullable-field", Severity::error, "SET NOT NULL on an existing column scans the whole table under ACCESS EXCLUSIVE."},
      {"adding-required-field", Severity::error, "ADD COLUMN ... NOT NULL without a DEFAULT fails on a table that has rows."},
      {"adding-field-with-default", Severity::error, "ADD COLUMN with a volatile DEFAULT (or a stored generated column) rewrites the table."},
      {"adding-serial-primary-key-field", Severity::error, "A primary key added to an existing table builds its index under ACCESS EXCLUSIVE."},
      {"require-concurrent-index-creation", Severity::error, "CREATE INDEX without CONCURRENTLY blocks writes to an existing table while it builds."},
      {"require-concurrent-index-deletion", Severity::error, "DROP INDEX without CONCURRENTLY takes ACCESS EXCLUSIVE on the table."},
      {"concurrently-in-multi-statement-file", Severity::error, "CONCURRENTLY in a file with other statements fails: Prisma and migrate-guard send a file as one query (one transaction)."},
      {"constraint-missing-not-valid", Severity::error, "ADD CONSTRAINT CHECK / FOREIGN KEY without NOT VALID scans the table while holding its lock."},
      {"disallowed-unique-constraint", Severity::error, "ADD UNIQUE builds its index under ACCESS EXCLUSIVE unless it reuses a concurrently built index (USING INDEX)."},
      {"transaction-nesting", Severity::error, "BEGIN / COMMIT / ROLLBACK inside a migration: the file already runs as one transaction."},
      {"identifier-too-long", Severity::warning, "An identifier longer than 63 bytes: PostgreSQL truncates it with only a NOTICE, and tools that know the full name (Prisma) no longer find it."},
      {"ban-drop-not-null", Severity::warning, "DROP NOT NULL on an existing column: readers that assume a value may break."},
      {"prefer-timestamptz", Severity::warning, "timestamp without time zone drops the UTC offset."},
      {"require-lock-timeout", Severity::warning, "ACCESS EXCLUSIVE (or other write-blocking) work without a preceding SET lock_timeout can queue behind a long query and block all traffic."},
  };
  return all;
}

const char* table_origin_name(TableOrigin origin) {
  switch (origin) {
    case TableOrigin::existing: return "existing";
    case TableOrigin::same_file: return "same_file";
    case TableOrigin::earlier_migration: return "earlier_migration";
    case TableOrigin::none: break;
  }
  return "none";
}

namespace detail {

Severity severity_of(const std::string& rule) {
  for (const auto& r : rules()) {
    if (r.name == rule) return r.severity;
  }
  return Severity::error;
}

}  // namespace detail
}  // namespace migrate_guard::lint
