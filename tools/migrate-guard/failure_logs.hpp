#pragma once
// What a failed migration's row in _prisma_migrations.logs says. The row is the only record a later
// run (`status`, another machine, the next on-call engineer) has of what the failure left in the
// database, so the writer (apply) and the reader (status) live here together and share the wording.
#include <string>

#include "migrate-guard/apply.hpp"
#include "migrate-guard/migrations.hpp"

namespace pg {
struct PgError;
}  // namespace pg

namespace migrate_guard {

// Prisma's layout ("Database error code: …", "ERROR: …", "Position: …"), then what was kept.
std::string failure_logs(const Migration& m, const pg::PgError& e, TextPosition where, const KeptOnFailure& kept);

struct RecordedFailure {
  bool by_migrate_guard = false;  // written by failure_logs (Prisma's rows carry no "kept" lines)
  std::string first_error;        // the first "ERROR: " line's text, "" when none
  bool left_open = false;         // the script ended inside a BEGIN it never committed
  KeptOnFailure kept;             // only when by_migrate_guard
};
RecordedFailure read_failure_logs(const std::string& logs);

}  // namespace migrate_guard
