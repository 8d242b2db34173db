#pragma once
// Runs one migration the way Prisma does: record the start, send the whole script as one simple
// query (one implicit transaction unless the script commits: KeptOnFailure), record the end or the error.
#include <optional>
#include <string>

#include "kit/duration.hpp"
#include "migrate-guard/migrations.hpp"

namespace pg {
class Connection;
}  // namespace pg

namespace migrate_guard {

class Ledger;

// What a failed script may have left in the database although the migration failed: PostgreSQL
// runs a multi-statement script as one transaction only until an explicit COMMIT, and a script of
// one statement outside any transaction.
struct KeptOnFailure {
  int commit_line = 0;  // 1-based line of the last COMMIT/END that ran before the failure, 0 when none
  std::string lone;     // why a one-statement script may have kept part of its work, "" when it cannot
  int open_begin_line = 0;  // a BEGIN (or START TRANSACTION) after that COMMIT, still open when the script ended
};
// `succeeded`: statements that ran before the failing one; -1 when unknown (the whole file is judged).
KeptOnFailure kept_on_failure(const std::string& sql, int succeeded);

struct ApplyResult {
  bool ok = false;
  kit::Millis elapsed{0};
  std::string error;       // one line: sqlstate and message
  std::string logs;        // what went into _prisma_migrations.logs
  TextPosition where;      // in migration.sql; line 0 when the server gave no position
  bool connection_lost = false;
  bool left_open = false;  // every statement ran, but a BEGIN was never committed (rolled back)
  KeptOnFailure kept;
};

ApplyResult apply_migration(pg::Connection& conn, Ledger& ledger, const Migration& m);

// What to do after a failed migration, in words that match what was kept.
std::string failure_hint(const Migration& m, const ApplyResult& r);
std::string after_failure_hint(const std::string& name, const KeptOnFailure& kept, bool left_open);
// "; its COMMIT at line N had already committed the statements before it" or "".
std::string committed_note(const Migration& m, const ApplyResult& r);

}  // namespace migrate_guard
