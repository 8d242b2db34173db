#pragma once
// Reading and presenting the folder-vs-ledger state (status, and the first half of deploy).
#include <nlohmann/json_fwd.hpp>
#include <string>

#include "kit/report.hpp"
#include "migrate-guard/state.hpp"

namespace pg {
class Connection;
}  // namespace pg

namespace migrate_guard {

Status load_status(pg::Connection& conn, const std::string& schema, const MigrationsFolder& folder);

std::string status_markdown(const Status& s);   // the table for the step summary
nlohmann::json status_json(const Status& s);
void log_status(const Status& s);               // one line per migration on stderr
void report_folder_warnings(kit::Report& report, const MigrationsFolder& folder);

// What to do about each problem, in words (also used by deploy's refusals).
std::string failed_message(const Entry& e);
std::string failed_hint(const Entry& e);

}  // namespace migrate_guard
