#pragma once
// The migration linter: every statement of a migration script parsed with libpg_query (the
// PostgreSQL 15 parser), checked against rules that catch locks and rewrites on hot tables.
// Pure: text in, findings out; the `lint` command and `deploy` render them.
#include <set>
#include <string>
#include <vector>

namespace migrate_guard::lint {

enum class Severity { error, warning };

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
  int statement = 0;            // ADDED: 0-based index of the statement in FileReport::spans
};

// ADDED: where a statement sits in the file (first token to last token, 1-based), e.g. to map a
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
  std::vector<StatementSpan> spans;  // ADDED: one per statement, in file order
};

struct Options {
  std::set<std::string> disabled_rules;  // rule names turned off for the whole run
};

struct RuleInfo {
  std::string name;
  Severity severity;
  std::string description;
};

// Lints one migration script (the bytes of migration.sql); `path` is only for messages.
FileReport lint_sql(const std::string& path, const std::string& sql, const Options& options = {});

// ADDED: a migrations folder in apply order. Every file is read so that column types declared in
// earlier migrations are known (a varchar change can then be judged widening or narrowing);
// reports come back only for files with `lint` set (e.g. the pending ones). Tables created in an
// earlier file count as existing.
struct MigrationFile {
  std::string path;
  std::string sql;
  bool lint = true;
};
std::vector<FileReport> lint_sequence(const std::vector<MigrationFile>& files, const Options& options = {});

// Every rule, for --help, docs and `lint --rules`.
const std::vector<RuleInfo>& rules();

}  // namespace migrate_guard::lint
