#include "migrate-guard/failure_logs.hpp"

#include <cstdlib>

#include "pg/connection.hpp"

namespace migrate_guard {
namespace {

// The sentences read back by read_failure_logs: rows written by earlier versions use the same ones.
const std::string kMarker = "\n(recorded by migrate-guard)\n";
const std::string kCommitted = "Statements before the COMMIT at line ";  // N " were committed."
const std::string kLone = "Not one transaction: ";                       // why "."
const std::string kLeftOpen = "left a transaction open";                // also in pg's own message

}  // namespace

std::string failure_logs(const Migration& m, const pg::PgError& e, TextPosition where, const KeptOnFailure& kept) {
  std::string out = "Database error code: " + (e.sqlstate.empty() ? std::string("none") : e.sqlstate) +
                    "\n\nDatabase error:\nERROR: " + e.what() + "\n";
  if (!e.detail.empty()) out += "DETAIL: " + e.detail + "\n";
  if (!e.hint.empty()) out += "HINT: " + e.hint + "\n";
  if (where.line > 0) out += "\nPosition: " + m.path + ":" + std::to_string(where.line) + ":" + std::to_string(where.col) + "\n";
  out += kMarker;
  if (e.left_open) out += "The script " + kLeftOpen + " (a BEGIN without its COMMIT): it was rolled back.\n";
  if (kept.commit_line > 0) out += kCommitted + std::to_string(kept.commit_line) + " were committed.\n";
  if (!kept.lone.empty()) out += kLone + kept.lone + ".\n";
  return out;
}

RecordedFailure read_failure_logs(const std::string& logs) {
  RecordedFailure r;
  if (auto pos = logs.find("ERROR: "); pos != std::string::npos) {
    auto end = logs.find('\n', pos);
    r.first_error = logs.substr(pos + 7, end == std::string::npos ? std::string::npos : end - pos - 7);
  }
  // Only what follows the last marker is ours: the error text before it may quote anything.
  const size_t ours = logs.rfind(kMarker);
  r.by_migrate_guard = ours != std::string::npos;
  r.left_open = (r.by_migrate_guard && logs.find(kLeftOpen, ours) != std::string::npos) ||
                r.first_error.rfind("the script " + kLeftOpen, 0) == 0;  // pg's message (rows of earlier versions)
  if (!r.by_migrate_guard) return r;
  if (auto at = logs.find(kCommitted, ours); at != std::string::npos) r.kept.commit_line = std::atoi(logs.c_str() + at + kCommitted.size());
  if (auto at = logs.find(kLone, ours); at != std::string::npos) {
    auto end = logs.find(".\n", at);
    r.kept.lone = logs.substr(at + kLone.size(), end == std::string::npos ? std::string::npos : end - at - kLone.size());
  }
  return r;
}

}  // namespace migrate_guard
