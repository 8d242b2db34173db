// The report of a window, a plan and a result: logs, outputs, step summary and --json, each built
// once from the values.
#include <nlohmann/json.hpp>

#include "kit/log.hpp"
#include "kit/report.hpp"
#include "kit/text.hpp"
#include "pitr-restore/commands/command.hpp"

namespace pitr_restore {
namespace {

std::string opt_time(const std::optional<Micros>& t) { return t ? format_time(*t) : ""; }

nlohmann::json window_json(const Window& w) {
  nlohmann::json points = nlohmann::json::array();
  for (const auto& p : w.restore_points) points.push_back({{"name", p.name}, {"time", opt_time(p.time)}});
  return {{"available", w.available},   {"reason", w.unavailable_reason}, {"earliest", opt_time(w.earliest)},
          {"latest", opt_time(w.latest)}, {"earliest_source", w.earliest_source}, {"latest_source", w.latest_source},
          {"restore_points", points},    {"notes", w.notes},
          {"project_status", w.project_status ? nlohmann::json(*w.project_status) : nlohmann::json()}};
}

std::string window_markdown(const Window& w) {
  std::vector<std::vector<std::string>> rows = {
      {"earliest", opt_time(w.earliest), w.earliest_source},
      {"latest", w.latest ? format_time(*w.latest) : "now", w.latest_source},
  };
  std::string md = kit::markdown_table({"bound", "time (UTC)", "from"}, rows);
  if (!w.restore_points.empty()) {
    std::vector<std::vector<std::string>> pts;
    for (const auto& p : w.restore_points) pts.push_back({p.name, opt_time(p.time)});
    md += "\nRestore points:\n\n" + kit::markdown_table({"name", "time"}, pts);
  }
  for (const auto& n : w.notes) md += "\n- " + n;
  return md + "\n";
}

nlohmann::json target_json(const RecoveryTarget& t) {
  return {{"kind", target_kind_name(t.kind)}, {"time", opt_time(t.time)}, {"name", t.name}, {"lsn", t.lsn},
          {"inclusive", t.inclusive},          {"source", t.source},       {"migration", t.migration},
          {"description", t.describe()}};
}

}  // namespace

void report_window(kit::Report& report, const Request& request, const Window& w) {
  report.output("available", w.available);
  report.output("earliest", opt_time(w.earliest));
  report.output("latest", opt_time(w.latest));
  std::vector<std::string> names;
  for (const auto& p : w.restore_points) names.push_back(p.name);
  report.output("restore-points", names);
  if (w.project_status) report.output("project-status", *w.project_status);
  report.result("window", window_json(w));
  kit::log::info("recovery window (" + std::string(provider_name(request.provider)) + "): " + w.describe());
  if (w.project_status && *w.project_status != "ACTIVE_HEALTHY")
    kit::log::warn("project " + request.supabase.project_ref + " is " + *w.project_status +
                   (operation_under_way(*w.project_status) ? ": an operation is under way, a restore would be refused until it ends"
                                                            : ", not ACTIVE_HEALTHY"));
  report.summary("### pitr-restore window (" + std::string(provider_name(request.provider)) + ")\n\n" +
                 (w.available ? "Point-in-time recovery is available: **" + w.describe() + "**\n\n" + window_markdown(w)
                              : "Point-in-time recovery is **not available**: " + w.unavailable_reason + "\n"));
}

void report_plan(kit::Report& report, const Request& request, const Plan& plan, const std::string& title, bool go_ahead) {
  report.output("target-time", opt_time(plan.target.time));
  report.output("target", plan.target.describe());
  report.output("migrations-lost", plan.migrations_lost);
  report.output("refused", !plan.ok());
  nlohmann::json steps = nlohmann::json::array();
  std::vector<std::vector<std::string>> rows;
  int n = 0;
  for (const auto& s : plan.steps) {
    steps.push_back({{"action", s.action}, {"detail", s.detail}});
    rows.push_back({std::to_string(++n), s.action, s.detail});
  }
  report.result("plan", {{"provider", provider_name(plan.provider)},
                         {"target", target_json(plan.target)},
                         {"window", window_json(plan.window)},
                         {"refusal", plan.refusal},
                         {"confirm", plan.confirm_id},
                         {"loss", plan.loss},
                         {"migrations_lost", plan.migrations_lost},
                         {"old_data_dir", plan.old_data_dir},
                         {"steps", steps},
                         {"warnings", plan.warnings}});

  kit::log::info("target: " + plan.target.describe() + " (from " + plan.target.source + ")");
  kit::log::info("window: " + plan.window.describe());
  kit::log::info("lost: " + plan.loss + (plan.migrations_lost.empty() ? "" : "; migrations applied since: " + kit::join(plan.migrations_lost, ", ")));
  for (const auto& r : rows) kit::log::info("step " + r[0] + ": " + r[1] + (r[2].empty() ? "" : " (" + r[2] + ")"));
  for (const auto& w : plan.warnings) kit::log::warn(w);

  std::string md = "### " + title + "\n\n";
  if (!plan.ok()) md += "**Refused:** " + plan.refusal + "\n\n";
  md += "**Target:** " + plan.target.describe() + " (from " + plan.target.source + ")  \n**Window:** " + plan.window.describe() +
        "  \n**Lost:** " + plan.loss + "\n\n";
  if (!plan.migrations_lost.empty()) {
    md += "Migrations applied at or after the target (their changes and all data written since go):\n\n";
    for (const auto& m : plan.migrations_lost) md += "- `" + m + "`\n";
    md += "\n";
  }
  md += kit::markdown_table({"step", "action", "detail"}, rows);
  for (const auto& w : plan.warnings) md += "\n> " + w + "\n";
  if (go_ahead && plan.ok() && !plan.confirm_id.empty())
    md += "\nTo go ahead: `pitr-restore restore --provider " + std::string(provider_name(request.provider)) + " ... --confirm " +
          plan.confirm_id + "`\n";
  report.summary(md);
}

void report_result(kit::Report& report, const Request& request, const Plan& plan, const RestoreResult& result, const std::string& title,
                   const std::string& verdict) {
  report.output("restored-at", result.restored_at ? format_time(result.restored_at / 1'000'000 * 1'000'000) : "");  // whole seconds, as the other times
  report.output("duration", kit::format_duration(kit::Millis(result.timeline.elapsed().count() / 100 * 100)));
  if (request.provider != Provider::supabase) report.output("old-data-dir", result.old_data_dir);
  if (!result.scratch_dir.empty()) report.output("scratch-dir", result.scratch_dir);
  if (result.port) report.output("port", result.port);
  if (!result.replay_lsn.empty()) report.output("replay-lsn", result.replay_lsn);
  report.output("verified", !result.verify.ran ? "" : result.verify.passed ? "true" : "false");
  nlohmann::json events = nlohmann::json::array();
  std::vector<std::vector<std::string>> rows;
  for (const auto& e : result.timeline.events()) {
    events.push_back({{"at_ms", e.at.count()}, {"what", e.what}});
    rows.push_back({kit::format_duration(kit::Millis(e.at.count() / 100 * 100)), e.what});
  }
  report.result("timeline", events);
  report.result("verify", {{"ran", result.verify.ran}, {"passed", result.verify.passed}, {"row", result.verify.row}});
  report.result("old_data_dir", result.old_data_dir);
  std::string md = "### " + title + "\n\n" + verdict + "\n\n**Target:** " + plan.target.describe() + "  \n**Lost:** " + plan.loss + "\n\n";
  if (!result.old_data_dir.empty()) md += "**Old data directory (kept):** `" + result.old_data_dir + "`\n\n";
  md += "Timeline:\n\n" + kit::markdown_table({"at", "event"}, rows);
  report.summary(md);
}

}  // namespace pitr_restore
