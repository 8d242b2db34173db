// status: options -> StatusRequest -> read_status -> outputs, annotations, summary; exit 1 unless
// the database is up to date with the folder.
#include <nlohmann/json.hpp>

#include "kit/log.hpp"
#include "migrate-guard/commands/common.hpp"
#include "migrate-guard/migrate_guard.hpp"
#include "migrate-guard/status.hpp"

namespace migrate_guard {

namespace {

kit::Outcome status_command(kit::Context& ctx) {
  StatusReport r = read_status({.dir = ctx.args.str("dir"), .db = database_from_args(ctx)});
  const Status& s = r.status;
  report_folder_warnings(ctx.report, r.folder);
  log_status(s);

  auto count = [&](State st) { return r.count(st); };
  ctx.report.output("applied-count", std::to_string(count(State::applied) + count(State::edited)));
  ctx.report.output("pending-count", std::to_string(count(State::pending)));
  size_t rolled_back = r.rolled_back();  // pending again after `resolve --rolled-back`: Prisma's "rolled back" migrations
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
    ctx.report.annotate(kit::Severity::warning, "migration " + e->name + " is recorded as applied but missing from " + r.folder.dir,
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

}  // namespace

kit::Outcome run_status(kit::Context& ctx) {
  return annotating_files(ctx, [&] { return status_command(ctx); });
}

}  // namespace migrate_guard
