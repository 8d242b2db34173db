#pragma once
// The migration linter: every statement of a migration script parsed with libpg_query (the
// PostgreSQL 15 parser), checked against rules that catch locks and rewrites on hot tables.
// Pure: text in, findings out; the `lint` command and `deploy` render them.
#include <set>
#include <string>
#include <vector>

namespace migrate_guard::lint {

enum class Severity { error, warning };

// Where the table a finding concerns comes from, as far as the linted migrations tell. `deploy`
// judges a finding against the live database with it: a table created by an earlier migration of
// the same run is new (no rows, no traffic) and cannot be locked by anyone.
enum class TableOrigin {
  none,               // the finding is not about one table (syntax, transactions, DROP DATABASE...)
  existing,           // not created by any linted migration: it may be live
  same_file,          // created earlier in the same migration file
  earlier_migration,  // created by an earlier migration of the same linted set (lint = true)
};

struct Finding {
  std::string rule;      // e.g. "adding-not-nullable-field"
  Severity severity = Severity::error;
  std::string message;   // one line: what is risky in this statement
  std::string hint;      // what to write instead
  int line = 0;          // 1-based position in the file (of the statement, or of the syntax error)
  int col = 0;
  int end_line = 0;
  bool suppressed = false;      // by a `-- migrate-guard-ignore: rule reason` comment
  std::string suppress_reason;
  int statement = 0;            // 0-based index of the statement in FileReport::spans
  // The table the finding concerns, schema-qualified ("public.User": unqualified names resolve to
  // Options::default_schema), after following renames; empty when origin is none.
  std::string table;
  TableOrigin table_origin = TableOrigin::none;
  std::string table_created_in;  // path of the migration that created it (origin earlier_migration)
};

// Where a statement sits in the file (first token to last token, 1-based), e.g. to map a
// server error position or another linter's line to a statement.
struct StatementSpan {
  int line = 0;
  int col = 0;
  int end_line = 0;
};

struct FileReport {
  std::string path;
  int statements = 0;
  bool syntax_error = false;
  std::vector<Finding> findings;  // in file order; suppressed ones included (flagged)
  std::vector<StatementSpan> spans;  // one per statement, in file order
};

struct Options {
  std::set<std::string> disabled_rules;  // rule names turned off for the whole run
  std::string default_schema = "public";  // what an unqualified table name resolves to (Finding::table)
  // Threads that lex and parse files ahead of the rules in lint_sequence: 0 = one per core (at most
  // 8). The fuzz harness uses 1: a thread per execution is what a fuzzer must not pay for.
  unsigned parse_workers = 0;
};

struct RuleInfo {
  std::string name;
  Severity severity;
  std::string description;
};

// Lints one migration script (the bytes of migration.sql); `path` is only for messages.
FileReport lint_sql(const std::string& path, const std::string& sql, const Options& options = {});

// A migrations folder in apply order. Every file is read so that column types declared in earlier
// migrations are known (a varchar change can then be judged widening or narrowing) and renames of
// tables, columns and types are followed; reports come back only for files with `lint` set (e.g.
// the pending ones). Tables created in an earlier file count as existing for the rules (lint stays
// strict); Finding::table_origin says when an earlier *linted* file created them.
struct MigrationFile {
  std::string path;
  std::string sql;
  bool lint = true;
};
std::vector<FileReport> lint_sequence(const std::vector<MigrationFile>& files, const Options& options = {});

// "none", "existing", "same_file", "earlier_migration" (JSON reports).
const char* table_origin_name(TableOrigin origin);

// Every rule, for --help, docs and `lint --rules`.
const std::vector<RuleInfo>& rules();

}  // namespace migrate_guard::lint
