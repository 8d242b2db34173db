#include "migrate-guard/status.hpp"

#include <nlohmann/json.hpp>

#include "kit/log.hpp"
#include "kit/report.hpp"
#include "migrate-guard/apply.hpp"
#include "migrate-guard/database.hpp"
#include "migrate-guard/failure_logs.hpp"
#include "migrate-guard/ledger.hpp"
#include "pg/connection.hpp"

namespace migrate_guard {

Status load_status(pg::Connection& conn, const std::string& schema, const MigrationsFolder& folder) {
  Ledger ledger(conn, schema);
  bool exists = ledger.exists();
  return compare(folder.migrations, exists ? ledger.rows() : std::vector<LedgerRow>{}, exists);
}

StatusReport read_status(const StatusRequest& request) {
  StatusReport r;
  r.folder = read_migrations(request.dir);
  auto conn = connect(request.db);
  r.status = load_status(*conn, request.db.target.schema, r.folder);
  return r;
}

size_t StatusReport::rolled_back() const {
  size_t n = 0;
  for (const auto* e : status.with(State::pending)) n += e->rolled_back_rows > 0;
  return n;
}

namespace {

std::string detail_of(const Entry& e) {
  switch (e.state) {
    case State::edited: return "migration.sql changed after it was applied (recorded checksum " + e.row->checksum.substr(0, 12) + "…)";
    case State::missing: return "recorded as applied but there is no folder for it on disk";
    case State::failed: return e.interrupted() ? "started, never finished, no error recorded: the run was interrupted" : "failed; see logs";
    case State::pending: return e.rolled_back_rows ? "rolled back before; will run again" : "";
    case State::applied: return e.row && e.row->applied_steps_count == 0 ? "recorded with resolve --applied" : "";
  }
  return "";
}

}  // namespace

std::string failed_message(const Entry& e) {
  std::string started = e.row && e.row->started_at ? *e.row->started_at : "?";
  if (e.interrupted())
    return "migration " + e.name + " started at " + started +
           " and never finished, with no error recorded: the process applying it was killed or lost its connection";
  std::string first_error = e.row && e.row->logs ? read_failure_logs(*e.row->logs).first_error : "";
  return "migration " + e.name + " started at " + started + " failed" + (first_error.empty() ? "" : ": " + first_error);
}

namespace {

// What a failed migration may have kept, as its recorded logs say (migrate-guard writes it there)
// or, for a failure Prisma recorded, as its file suggests (which statement failed is not known).
KeptOnFailure recorded_kept(const Entry& e, bool& left_open) {
  RecordedFailure recorded = read_failure_logs(e.row && e.row->logs ? *e.row->logs : "");
  left_open = recorded.left_open;
  if (recorded.by_migrate_guard) return recorded.kept;
  KeptOnFailure k;
  if (e.file) {
    KeptOnFailure whole = kept_on_failure(e.file->sql, -1);
    k.lone = whole.commit_line > 0 ? "migration.sql has a COMMIT at line " + std::to_string(whole.commit_line) +
                                         ": what ran before the failure may have been committed"
                                   : whole.lone;
  }
  return k;
}

}  // namespace

std::string failed_hint(const Entry& e) {
  if (e.interrupted())
    return "PostgreSQL rolls back a script whose session dies before it commits, so check whether its changes are "
           "in the database: if they are not, run `migrate-guard resolve --rolled-back " + e.name +
           "` and deploy again; if they are, run `migrate-guard resolve --applied " + e.name + "`";
  bool left_open = false;
  KeptOnFailure kept = recorded_kept(e, left_open);
  std::string hint = after_failure_hint(e.name, kept, left_open);
  if (kept.commit_line == 0 && kept.lone.empty()) hint += " (or apply it by hand and run `resolve --applied " + e.name + "`)";
  return hint;
}

std::string status_markdown(const Status& s) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& e : s.entries)
    rows.push_back({e.name, state_name(e.state), e.row && e.row->finished_at ? *e.row->finished_at : "", detail_of(e)});
  return kit::markdown_table({"migration", "state", "finished at", "detail"}, rows);
}

nlohmann::json status_json(const Status& s) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& e : s.entries) {
    nlohmann::json j = {{"name", e.name}, {"state", state_name(e.state)}, {"detail", detail_of(e)},
                        {"rolled_back_attempts", e.rolled_back_rows}};
    if (e.file) j["checksum"] = e.file->checksum;
    if (e.row) {
      j["recorded_checksum"] = e.row->checksum;
      j["started_at"] = e.row->started_at ? nlohmann::json(*e.row->started_at) : nlohmann::json();
      j["finished_at"] = e.row->finished_at ? nlohmann::json(*e.row->finished_at) : nlohmann::json();
      if (e.row->logs) j["logs"] = *e.row->logs;
    }
    out.push_back(j);
  }
  return out;
}

void log_status(const Status& s) {
  for (const auto& e : s.entries) {
    std::string d = detail_of(e);
    kit::log::info(std::string(state_name(e.state)) + ": " + e.name + (d.empty() ? "" : " (" + d + ")"));
  }
}

}  // namespace migrate_guard
