// deploy: options -> DeployRequest -> deploy() -> one report of the plan (dry run, refusal) or of
// what was executed: outputs, annotations, summary and --json, each written once.
#include <nlohmann/json.hpp>

#include "kit/http.hpp"
#include "kit/log.hpp"
#include "kit/secrets.hpp"
#include "kit/text.hpp"
#include "migrate-guard/commands/common.hpp"
#include "migrate-guard/deploy.hpp"
#include "migrate-guard/migrate_guard.hpp"
#include "migrate-guard/status.hpp"
#include "supabase/management_api.hpp"

namespace migrate_guard {
namespace {

// --supabase-project (else SUPABASE_PROJECT_REF) with SUPABASE_ACCESS_TOKEN: checked before anything
// is read or locked, so a typo costs nothing.
std::optional<SupabaseRestorePoint> supabase_from(const kit::Context& ctx) {
  auto ref = ctx.args.opt("supabase-project");
  bool optional = ctx.args.flag("allow-without-restore-point");
  if (!ref) {
    if (optional) throw kit::usage_error("--allow-without-restore-point only applies with --supabase-project REF");
    return std::nullopt;
  }
  if (!supabase::valid_project_ref(*ref))
    throw kit::usage_error("--supabase-project: '" + kit::escape_controls(ref->substr(0, 40)) +
                           "' is not a Supabase project ref (20 lower-case letters, as in https://REF.supabase.co)");
  SupabaseRestorePoint sp;
  sp.project_ref = *ref;
  sp.optional = optional;
  sp.api_url = ctx.args.str("supabase-api-url");
  if (!kit::is_http_url(sp.api_url))
    throw kit::usage_error("--supabase-api-url: '" + kit::escape_controls(kit::redact_url(sp.api_url).substr(0, 100)) + "' is not an http(s) URL");
  auto token = ctx.env.secret("SUPABASE_ACCESS_TOKEN");
  if (!token)
    throw kit::usage_error("--supabase-project needs SUPABASE_ACCESS_TOKEN (a personal access token, read from the environment only, never from a flag)");
  sp.token = *token;
  return sp;
}

DeployRequest request_from(const kit::Context& ctx) {
  DeployRequest r;
  r.dir = ctx.args.str("dir");
  r.db = database_from_args(ctx);
  DeployOptions& o = r.options;
  o.lock_timeout = ctx.args.duration("lock-timeout");
  o.lock_timeout_sql = ctx.args.opt_duration("lock-timeout-sql");
  o.statement_timeout = ctx.args.opt_duration("statement-timeout");
  // PostgreSQL reads 0 as "no limit": the opposite of what the flag is for.
  for (const auto& [name, value] : {std::pair{"lock-timeout-sql", o.lock_timeout_sql}, std::pair{"statement-timeout", o.statement_timeout}})
    if (value && value->count() <= 0)
      throw kit::usage_error(std::string("--") + name + ": 0 would turn the timeout off in PostgreSQL; give a positive duration (e.g. 5s) or leave it out");
  o.small_table_rows = ctx.args.integer("small-table-rows", 0, 1'000'000'000);
  o.extensions = parse_extension_list(ctx.args.list("require-extension"));
  o.extension_schema = ctx.args.str("extension-schema");
  o.allow_edited = ctx.args.flag("allow-edited");
  o.skip_lint = ctx.args.flag("skip-lint");
  o.dry_run = ctx.args.flag("dry-run");
  o.disabled_rules = ctx.args.list("disable-rule");
  o.supabase = supabase_from(ctx);
  return r;
}

// The findings this target makes harmless, for the summary.
std::string not_blocking_markdown(const DeployPlan& p) {
  if (p.not_blocking.empty()) return "";
  std::string md = "\nLint findings judged against this database:\n\n";
  for (const auto& line : p.not_blocking) md += "- " + line + "\n";
  return md;
}

std::string marker_text(const pg::RestoreMarker& m) { return m.time + (m.name.empty() ? "" : " (`" + m.name + "`)"); }

kit::Outcome report_refusal(kit::Context& ctx, const DeployRun& run) {
  const DeployPlan& p = run.plan;
  for (const auto& n : p.notes) ctx.report.annotate(n.severity, n.message, n.where);
  ctx.report.output("refused", "true");
  ctx.report.output("pending-count", std::to_string(p.pending.size()));
  ctx.report.result("migrations", status_json(run.status));
  std::string body = status_markdown(run.status);
  if (p.lint) {
    annotate_findings(ctx.report, *p.lint);
    ctx.report.result("lint", lint_json(*p.lint));
    if (p.refusal == Refusal::lint_errors) body = lint_markdown(*p.lint);
  }
  ctx.report.summary("### migrate-guard deploy: refused, nothing applied\n\n" + p.headline + "\n\n**What to do:** " + p.hint + "\n\n" + body);
  return {kit::Exit::negative, "deploy refused, nothing applied: " + p.headline, p.hint};
}

kit::Outcome report_dry_run(kit::Context& ctx, const DeployRun& run) {
  const DeployPlan& p = run.plan;
  if (p.lint) {
    annotate_findings(ctx.report, *p.lint);
    ctx.report.result("lint", lint_json(*p.lint));
  }
  ctx.report.result("plan", plan_json(p));
  ctx.report.output("pending-count", std::to_string(p.pending.size()));
  ctx.report.output("would-apply", kit::join(p.pending, ", "));
  int n = 0;
  for (const auto& s : p.steps) kit::log::info("plan: " + std::to_string(++n) + ". " + describe(s, p));
  std::string headline = "dry run: " + std::to_string(p.pending.size()) + " migrations would be applied" +
                         (p.extensions_to_create.empty() ? "" : ", extensions to create: " + kit::join(p.extensions_to_create, ", "));
  ctx.report.summary("### migrate-guard deploy (dry run)\n\n" + headline + "\n\n" + plan_markdown(p) + not_blocking_markdown(p));
  return {kit::Exit::ok, headline};
}

kit::Outcome report_result(kit::Context& ctx, const DeployRun& run) {
  const DeployPlan& p = run.plan;
  const DeployResult& r = *run.result;
  if (p.lint) {
    annotate_findings(ctx.report, *p.lint);
    ctx.report.result("lint", lint_json(*p.lint));
  }
  ctx.report.result("plan", plan_json(p));
  ctx.report.output("pending-count", std::to_string(p.pending.size()));
  ctx.report.output("restore-point-time", r.marker ? r.marker->time : "");
  ctx.report.output("restore-point-name", r.marker ? r.marker->name : "");
  ctx.report.output("restore-point-lsn", r.marker ? r.marker->lsn : "");
  ctx.report.output("supabase-restore-point", r.supabase_restore_point);
  ctx.report.output("created-extensions", kit::join(r.created_extensions, ", "));
  ctx.report.output("applied", kit::join(r.applied, ", "));
  ctx.report.output("applied-count", std::to_string(r.applied.size()));
  nlohmann::json timings = nlohmann::json::array();
  std::vector<std::vector<std::string>> rows;
  for (const auto& m : r.runs) {
    timings.push_back({{"name", m.name}, {"ok", m.ok}, {"ms", m.elapsed.count()}});
    rows.push_back({m.name, m.ok ? "applied" : "FAILED", kit::format_duration(m.elapsed)});
  }
  ctx.report.result("timings", timings);
  std::string marker = r.marker ? marker_text(*r.marker) : "none";
  if (!r.supabase_restore_point.empty())
    marker += "; Supabase restore point `" + r.supabase_restore_point + "` in project " + p.supabase->project_ref;
  else if (p.supabase)
    marker += "; **no Supabase restore point** (" + kit::escape_controls(r.supabase_restore_point_error) + ", --allow-without-restore-point)";
  if (!r.failure) {
    std::string headline = "applied " + std::to_string(r.applied.size()) + " migrations" +
                           (r.created_extensions.empty() ? "" : " (created extensions: " + kit::join(r.created_extensions, ", ") + ")");
    ctx.report.summary("### migrate-guard deploy: applied " + std::to_string(r.applied.size()) + " migrations\n\nRestore marker: " +
                       marker + "\n\n" + kit::markdown_table({"migration", "result", "time"}, rows) + not_blocking_markdown(p));
    return {kit::Exit::ok, headline};
  }
  const DeployFailure& f = *r.failure;
  const Migration& m = *f.migration;
  const ApplyResult& a = f.result;
  std::string where = m.path + (a.where.line ? ":" + std::to_string(a.where.line) + ":" + std::to_string(a.where.col) : "");
  std::string headline = "migration " + m.name + " failed at " + where + ": " + a.error + "; applied before it: " +
                         (r.applied.empty() ? "none" : kit::join(r.applied, ", ")) +
                         "; not attempted: " + (f.not_attempted.empty() ? "none" : kit::join(f.not_attempted, ", ")) +
                         committed_note(m, a);
  std::string hint = failure_hint(m, a);
  ctx.report.annotate(kit::Severity::error, a.error,
                      {.file = m.path, .line = a.where.line, .col = a.where.col, .title = "migrate-guard: " + m.name + " failed"});
  ctx.report.output("failed", m.name);
  ctx.report.summary("### migrate-guard deploy: FAILED at " + m.name + "\n\n" + headline + "\n\n**What to do:** " + hint +
                     "\n\nRestore marker: " + marker + "\n\n" + kit::markdown_table({"migration", "result", "time"}, rows));
  return {kit::Exit::partial, headline, hint};
}

kit::Outcome deploy_command(kit::Context& ctx) {
  DeployRequest request = request_from(ctx);
  StepObserver observer{
      .begin = [&](const Step& s) { if (s.kind == StepKind::apply_migration) ctx.report.group_begin("apply " + s.name); },
      .end = [&](const Step& s) { if (s.kind == StepKind::apply_migration) ctx.report.group_end(); }};
  auto run = deploy(request, observer);
  report_folder_warnings(ctx.report, run->folder);
  if (run->plan.refused()) return report_refusal(ctx, *run);
  if (request.options.dry_run) return report_dry_run(ctx, *run);
  if (run->plan.nothing_to_do()) {
    ctx.report.output("pending-count", "0");
    ctx.report.output("applied", "");
    ctx.report.output("applied-count", "0");
    ctx.report.summary("### migrate-guard deploy: up to date\n\nNo pending migrations.\n\n" + status_markdown(run->status));
    return {kit::Exit::ok, "no pending migrations: database schema is up to date"};
  }
  return report_result(ctx, *run);
}

}  // namespace

kit::Outcome run_deploy(kit::Context& ctx) {
  return annotating_files(ctx, [&] { return deploy_command(ctx); });
}

}  // namespace migrate_guard
