#include "migrate-guard/status.hpp"

#include <nlohmann/json.hpp>

#include "kit/log.hpp"
#include "migrate-guard/database.hpp"
#include "migrate-guard/ledger.hpp"
#include "migrate-guard/migrate_guard.hpp"
#include "pg/connection.hpp"

namespace migrate_guard {

Status load_status(pg::Connection& conn, const std::string& schema, const MigrationsFolder& folder) {
  Ledger ledger(conn, schema);
  bool exists = ledger.exists();
  return compare(folder.migrations, exists ? ledger.rows() : std::vector<LedgerRow>{}, exists);
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
  std::string first_error;
  if (e.row && e.row->logs) {
    auto pos = e.row->logs->find("ERROR: ");
    if (pos != std::string::npos) first_error = e.row->logs->substr(pos + 7, e.row->logs->find('\n', pos) - pos - 7);
  }
  return "migration " + e.name + " started at " + started + " failed" + (first_error.empty() ? "" : ": " + first_error);
}

std::string failed_hint(const Entry& e) {
  std::string base = e.interrupted()
                         ? "PostgreSQL rolls back a script whose session dies before it commits, so check whether its changes are "
                           "in the database: if they are not, run `migrate-guard resolve --rolled-back " + e.name +
                               "` and deploy again; if they are, run `migrate-guard resolve --applied " + e.name + "`"
                         : "the script ran in one transaction, so nothing of it was kept: fix migration.sql, run `migrate-guard "
                           "resolve --rolled-back " + e.name + "`, then deploy again (or apply it by hand and run `resolve --applied " +
                               e.name + "`)";
  return base;
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

void report_folder_warnings(kit::Report& report, const MigrationsFolder& folder) {
  for (const auto& w : folder.warnings) {
    kit::log::warn(w);
    report.annotate(kit::Severity::warning, w, {.file = folder.dir, .title = "migrate-guard: migrations folder"});
  }
}

kit::Outcome run_status(kit::Context& ctx) {
  MigrationsFolder folder = read_migrations(ctx.args.str("dir"));
  pg::DbTarget target = target_from_args(ctx);
  auto conn = connect(ctx, target);
  report_folder_warnings(ctx.report, folder);
  Status s = load_status(*conn, target.schema, folder);
  log_status(s);

  auto count = [&](State st) { return s.with(st).size(); };
  ctx.report.output("applied-count", std::to_string(count(State::applied) + count(State::edited)));
  ctx.report.output("pending-count", std::to_string(count(State::pending)));
  size_t rolled_back = 0;  // pending again after `resolve --rolled-back`: Prisma's "rolled back" migrations
  for (const auto* e : s.with(State::pending)) rolled_back += e->rolled_back_rows > 0;
  ctx.report.output("rolled-back-count", std::to_string(rolled_back));
  ctx.report.output("failed-count", std::to_string(count(State::failed)));
  ctx.report.output("edited-count", std::to_string(count(State::edited)));
  ctx.report.output("missing-count", std::to_string(count(State::missing)));
  ctx.report.output("up-to-date", s.up_to_date() ? "true" : "false");
  ctx.report.result("migrations", status_json(s));

  for (const auto* e : s.with(State::edited))
    ctx.report.annotate(kit::Severity::error, "migration " + e->name + " was edited after it was applied",
                        {.file = e->file->path, .line = 1, .title = "migrate-guard: edited after apply"});
  for (const auto* e : s.with(State::failed))
    ctx.report.annotate(kit::Severity::error, failed_message(*e), {.file = e->file ? e->file->path : "", .title = "migrate-guard: failed migration"});
  for (const auto* e : s.with(State::missing))
    ctx.report.annotate(kit::Severity::warning, "migration " + e->name + " is recorded as applied but missing from " + folder.dir,
                        {.title = "migrate-guard: missing on disk"});

  std::string headline, hint;
  if (s.up_to_date()) {
    headline = "database schema is up to date (" + std::to_string(count(State::applied)) + " migrations applied)";
  } else {
    std::vector<std::string> parts;
    if (auto n = count(State::pending))
      parts.push_back(std::to_string(n) + " pending" + (rolled_back ? " (" + std::to_string(rolled_back) + " of them rolled back, to run again)" : ""));
    if (auto n = count(State::failed)) parts.push_back(std::to_string(n) + " failed");
    if (auto n = count(State::edited)) parts.push_back(std::to_string(n) + " edited after apply");
    if (auto n = count(State::missing)) parts.push_back(std::to_string(n) + " applied but missing on disk");
    for (const auto& p : parts) headline += (headline.empty() ? "" : ", ") + p;
    headline = "not up to date: " + headline;
    if (count(State::failed)) hint = failed_hint(*s.with(State::failed).front());
    else if (count(State::edited)) hint = "restore the applied file from git (a change needs a new migration), or deploy with --allow-edited if the edit is cosmetic";
    else if (count(State::missing)) hint = "restore the missing migration folders from git: the database has changes this folder does not describe";
    else hint = "run `migrate-guard deploy`";
  }
  ctx.report.summary("### migrate-guard status: " + std::string(s.up_to_date() ? "up to date" : "NOT up to date") + "\n\n" + headline +
                     "\n\n" + status_markdown(s));
  return {s.up_to_date() ? kit::Exit::ok : kit::Exit::negative, headline, hint};
}

}  // namespace migrate_guard
