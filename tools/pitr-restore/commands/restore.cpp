// restore: plan, refuse or confirm, execute, wait, verify, report once.
#include <unistd.h>

#include <iostream>

#include "kit/error.hpp"
#include "kit/secrets.hpp"
#include "pitr-restore/commands/command.hpp"
#include "pitr-restore/facts.hpp"
#include "pitr-restore/pitr_restore.hpp"
#include "pitr-restore/self_managed.hpp"
#include "pitr-restore/supabase_restore.hpp"

namespace pitr_restore {
namespace {

// On a terminal (never in CI) the operator may type the ID instead of passing --confirm.
bool confirmed_on_terminal(const kit::Context& ctx, const std::string& id) {
  if (ctx.env.get("CI") || ctx.env.in_github_actions() || !::isatty(0) || !::isatty(2)) return false;
  std::cerr << "This restore replaces the database. Type " << id << " to go ahead: " << std::flush;
  std::string line;
  if (!std::getline(std::cin, line)) return false;
  while (!line.empty() && (line.back() == '/' || line.back() == ' ' || line.back() == '\r')) line.pop_back();
  return line == id;
}

}  // namespace

kit::Outcome run_restore(kit::Context& ctx) {
  Request request = request_from(ctx, Needs::target);
  Micros now = now_micros();
  Facts facts = gather_facts(request, ctx.env, now);
  Plan plan = build_plan(request, facts, now);
  std::string name = provider_name(request.provider);
  bool dry_run = ctx.args.flag("dry-run");
  report_plan(ctx.report, request, plan, std::string("pitr-restore ") + (dry_run ? "restore --dry-run" : "restore") + " (" + name + "): plan", dry_run);
  if (!plan.ok()) throw refused_error(plan);
  if (dry_run) return {kit::Exit::ok, "dry run: would restore to " + plan.target.describe() + "; nothing changed"};
  if (request.confirm != plan.confirm_id && !confirmed_on_terminal(ctx, plan.confirm_id)) {
    if (request.confirm.empty())
      throw kit::usage_error("restore needs --confirm " + plan.confirm_id + " (the " +
                             (request.provider == Provider::supabase ? "project ref" : "data directory") + "); nothing was changed");
    throw kit::usage_error("--confirm '" + request.confirm.substr(0, 100) + "' does not name " + plan.confirm_id + "; nothing was changed");
  }
  RestoreResult result;
  try {
    result = request.provider == Provider::supabase ? restore_supabase(request, plan, ctx.env)
                                                    : restore_self_managed(request, plan, facts, ctx.env);
  } catch (const kit::Error& e) {
    if (e.code() == kit::Exit::partial && request.provider != Provider::supabase) ctx.report.output("old-data-dir", plan.old_data_dir);
    ctx.report.output("target-time", plan.target.time ? format_time(*plan.target.time) : "");
    throw;
  }
  std::string verdict = "Restored to " + plan.target.describe() + " in " + kit::format_duration(result.timeline.elapsed()) + ".";
  if (result.verify.ran && !result.verify.passed) {
    report_result(ctx.report, request, plan, result, "pitr-restore restore (" + name + "): restored, verification FAILED", verdict);
    return {kit::Exit::negative, "restored to " + plan.target.describe() + ", but --verify-sql returned no row",
            "look at the data before letting traffic in" +
                (result.old_data_dir.empty() ? std::string() : "; the old data directory is kept at " + result.old_data_dir)};
  }
  report_result(ctx.report, request, plan, result, "pitr-restore restore (" + name + "): done", verdict);
  return {kit::Exit::ok, "restored to " + plan.target.describe() + " in " + kit::format_duration(result.timeline.elapsed()) +
                             (result.old_data_dir.empty() ? "" : "; the old data directory is kept at " + result.old_data_dir)};
}

}  // namespace pitr_restore
