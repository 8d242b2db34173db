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
};

ApplyResult apply_migration(pg::Connection& conn, Ledger& ledger, const Migration& m);

// The text Prisma-style logs carry for a failed script.
std::string failure_logs(const Migration& m, const std::string& sqlstate, const std::string& message,
                         const std::string& detail, const std::string& hint, TextPosition where);

}  // namespace migrate_guard
