#pragma once
// Reading and presenting the folder-vs-ledger state (status, and the first half of deploy).
#include <nlohmann/json_fwd.hpp>
#include <string>

#include "migrate-guard/database.hpp"
#include "migrate-guard/state.hpp"

namespace pg {
class Connection;
}  // namespace pg

namespace migrate_guard {

Status load_status(pg::Connection& conn, const std::string& schema, const MigrationsFolder& folder);

// `status`: the folder read, the ledger compared with it.
struct StatusRequest {
  std::string dir;
  Database db;
};
struct StatusReport {
  MigrationsFolder folder;
  Status status;  // points into folder: a StatusReport moves, never copies
  StatusReport() = default;
  StatusReport(StatusReport&&) = default;
  StatusReport(const StatusReport&) = delete;
  size_t count(State s) const { return status.with(s).size(); }
  size_t rolled_back() const;  // pending again after `resolve --rolled-back`
};
StatusReport read_status(const StatusRequest& request);

std::string status_markdown(const Status& s);   // the table for the step summary
nlohmann::json status_json(const Status& s);
void log_status(const Status& s);               // one line per migration on stderr

// What to do about each problem, in words (also used by deploy's refusals).
std::string failed_message(const Entry& e);
std::string failed_hint(const Entry& e);

}  // namespace migrate_guard
