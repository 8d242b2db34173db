#pragma once
// Runs one migration the way Prisma does: record the start, send the whole script as one simple
// query (one implicit transaction: a failure leaves nothing behind), record the end or the error.
#include <optional>
#include <string>

#include "kit/duration.hpp"
#include "migrate-guard/migrations.hpp"

namespace pg {
class Connection;
}  // namespace pg

namespace migrate_guard {

class Ledger;

struct ApplyResult {
  bool ok = false;
  kit::Millis elapsed{0};
  std::string error;       // one line: sqlstate and message
  std::string logs;        // what went into _prisma_migrations.logs
  TextPosition where;      // in migration.sql; line 0 when the server gave no position
  bool connection_lost = false;
  // The script ran COMMIT (or END) before the failing statement: what came before it stays in
  // the database although the migration failed. 1-based line of that last COMMIT, 0 when none.
  int committed_through_line = 0;
};

ApplyResult apply_migration(pg::Connection& conn, Ledger& ledger, const Migration& m);

// What to do after a failed migration, in words that match what was kept.
std::string failure_hint(const Migration& m, const ApplyResult& r);
// "; its COMMIT at line N had already committed the statements before it" or "".
std::string committed_note(const Migration& m, const ApplyResult& r);

// The text Prisma-style logs carry for a failed script.
std::string failure_logs(const Migration& m, const std::string& sqlstate, const std::string& message,
                         const std::string& detail, const std::string& hint, TextPosition where);

}  // namespace migrate_guard
