// deploy: refuse unsafe states with nothing changed, then lock, mark a restore point, ensure
// extensions and apply the pending migrations in order, each as one script as Prisma does.
#include <nlohmann/json.hpp>

#include <chrono>
#include <optional>

#include "kit/log.hpp"
#include "kit/text.hpp"
#include "migrate-guard/apply.hpp"
#include "migrate-guard/database.hpp"
#include "migrate-guard/extensions.hpp"
#include "migrate-guard/ledger.hpp"
#include "migrate-guard/lint_runner.hpp"
#include "migrate-guard/lock.hpp"
#include "migrate-guard/migrate_guard.hpp"
#include "migrate-guard/status.hpp"
#include "pg/pooler.hpp"
#include "pg/restore_marker.hpp"

namespace migrate_guard {
namespace {

struct DeployPlan {
  MigrationsFolder folder;
  pg::DbTarget target;
  kit::Millis lock_timeout{10'000};
  std::optional<kit::Millis> lock_timeout_sql, statement_timeout;
  std::vector<std::string> extensions;
  std::string extension_schema;
  bool allow_edited = false, skip_lint = false, dry_run = false;
  std::vector<std::string> disabled_rules;
};

DeployPlan plan_deploy(const kit::Context& ctx) {
  DeployPlan p;
  p.folder = read_migrations(ctx.args.str("dir"));
  p.target = target_from_args(ctx);
  pg::refuse_pooler(p.target);
  p.lock_timeout = ctx.args.duration("lock-timeout");
  p.lock_timeout_sql = ctx.args.opt_duration("lock-timeout-sql");
  p.statement_timeout = ctx.args.opt_duration("statement-timeout");
  p.extensions = parse_extension_list(ctx.args.list("require-extension"));
  p.extension_schema = ctx.args.str("extension-schema");
  if (p.extension_schema.empty()) throw kit::usage_error("--extension-schema must not be empty");
  p.allow_edited = ctx.args.flag("allow-edited");
  p.skip_lint = ctx.args.flag("skip-lint");
  p.dry_run = ctx.args.flag("dry-run");
  p.disabled_rules = ctx.args.list("disable-rule");
  return p;
}


std::vector<std::string> names(const std::vector<const Entry*>& v) {
  std::vector<std::string> out;
  for (const auto* e : v) out.push_back(e->name);
  return out;
}

kit::Outcome refuse(kit::Context& ctx, const Status& s, const std::string& headline, const std::string& hint) {
  ctx.report.output("refused", "true");
  ctx.report.result("migrations", status_json(s));
  ctx.report.summary("### migrate-guard deploy: refused, nothing applied\n\n" + headline + "\n\n**What to do:** " + hint + "\n\n" +
                     status_markdown(s));
  return {kit::Exit::negative, "deploy refused, nothing applied: " + headline, hint};
}

// The refusals that depend on the database's state; nullopt when deploying is safe.
std::optional<kit::Outcome> check_refusals(kit::Context& ctx, const DeployPlan& p, pg::Connection& conn, const Status& s) {
  if (auto failed = s.with(State::failed); !failed.empty()) {
    const Entry& e = *failed.front();
    ctx.report.annotate(kit::Severity::error, failed_message(e), {.file = e.file ? e.file->path : "", .title = "migrate-guard: failed migration"});
    return refuse(ctx, s, failed_message(e), failed_hint(e));
  }
  if (auto edited = s.with(State::edited); !edited.empty()) {
    if (!p.allow_edited) {
      for (const auto* e : edited)
        ctx.report.annotate(kit::Severity::error, "migration " + e->name + " was edited after it was applied",
                            {.file = e->file->path, .line = 1, .title = "migrate-guard: edited after apply"});
      return refuse(ctx, s, "applied migrations were edited afterwards: " + kit::join(names(edited), ", "),
                    "restore them from git and put the change in a new migration; if the edit is cosmetic (comments, "
                    "whitespace), deploy with --allow-edited");
    }
    kit::log::warn("--allow-edited: ignoring edits to applied migrations " + kit::join(names(edited), ", "));
  }
  for (const auto* e : s.with(State::missing))
    kit::log::warn("migration " + e->name + " is recorded as applied but missing from " + p.folder.dir);
  bool no_history = true;
  for (const auto& e : s.entries)
    if (e.row) no_history = false;
  if (no_history) {
    long long objects = user_objects_in(conn, p.target.schema);
    if (objects > 0) {
      std::string first = p.folder.migrations.empty() ? "NAME" : p.folder.migrations.front().name;
      return refuse(ctx, s,
                    "schema " + p.target.schema + " is not empty (" + std::to_string(objects) +
                        " objects) and has no migration history (Prisma P3005)",
                    "baseline it: for each migration already reflected in the database run `migrate-guard resolve --applied "
                    "NAME` (e.g. " + first + "), then deploy");
    }
  }
  auto pending = s.with(State::pending);
  if (!pending.empty() && !p.skip_lint) {
    if (!linter_built()) {
      kit::log::warn("this build has no linter: pending migrations were not linted");
    } else {
      std::vector<const Migration*> files;
      for (const auto* e : pending) files.push_back(e->file);
      LintRun lint = lint_migrations(p.folder, files, p.disabled_rules);
      annotate_findings(ctx.report, lint);
      ctx.report.result("lint", lint_json(lint));
      if (lint.errors > 0) {
        ctx.report.output("refused", "true");
        ctx.report.summary("### migrate-guard deploy: refused, nothing applied\n\n" + std::to_string(lint.errors) +
                           " lint errors in pending migrations\n\n" + lint_markdown(lint));
        return kit::Outcome{kit::Exit::negative,
                            "deploy refused, nothing applied: " + std::to_string(lint.errors) + " lint errors in pending migrations",
                            "fix the statements (see the annotations), or suppress one with `-- migrate-guard-ignore: RULE reason` "
                            "above it, or deploy with --skip-lint"};
      }
    }
  }
  return std::nullopt;
}

std::string sql_ms(kit::Millis d) { return "'" + std::to_string(d.count()) + "ms'"; }

}  // namespace

kit::Outcome run_deploy(kit::Context& ctx) {
  DeployPlan p = plan_deploy(ctx);
  report_folder_warnings(ctx.report, p.folder);
  auto conn = connect(ctx, p.target);
  if (auto why = pg::server_side_pooler_reason(*conn); !why.empty())
    throw kit::usage_error("refusing a pooled connection (" + why + "): migrations need a direct connection");
  // If this process dies mid-migration, the server notices within a second and rolls the
  // script back instead of finishing it unobserved (PostgreSQL 14+; ignored before).
  try {
    conn->query("SET client_connection_check_interval = 1000");
  } catch (const pg::PgError&) {
  }

  std::optional<MigrationLock> lock;
  if (!p.dry_run) lock.emplace(*conn, p.lock_timeout);
  Status s = load_status(*conn, p.target.schema, p.folder);
  if (auto refused = check_refusals(ctx, p, *conn, s)) return *refused;

  auto pending = s.with(State::pending);
  auto ext_checks = check_extensions(*conn, p.extensions);
  std::vector<std::string> to_create;
  for (const auto& c : ext_checks)
    if (c.installed_schema.empty()) to_create.push_back(c.name);
  ctx.report.output("pending-count", std::to_string(pending.size()));

  if (p.dry_run) {
    std::vector<std::vector<std::string>> rows;
    int step = 0;
    rows.push_back({std::to_string(++step), "record a restore marker", "server time + pg_create_restore_point when permitted"});
    for (const auto& e : to_create) rows.push_back({std::to_string(++step), "create extension " + e, "in schema " + p.extension_schema});
    for (const auto* e : pending) rows.push_back({std::to_string(++step), "apply " + e->name, e->file->path});
    if (pending.empty() && to_create.empty()) rows.clear();
    nlohmann::json plan = {{"apply", names(pending)}, {"create_extensions", to_create}, {"extension_schema", p.extension_schema}};
    ctx.report.result("plan", plan);
    ctx.report.output("would-apply", kit::join(names(pending), ", "));
    for (const auto& r : rows) kit::log::info("plan: " + r[0] + ". " + r[1] + (r[2].empty() ? "" : " (" + r[2] + ")"));
    std::string headline = "dry run: " + std::to_string(pending.size()) + " migrations would be applied" +
                           (to_create.empty() ? "" : ", extensions to create: " + kit::join(to_create, ", "));
    ctx.report.summary("### migrate-guard deploy (dry run)\n\n" + headline + "\n\n" +
                       (rows.empty() ? std::string("Nothing to do.\n") : kit::markdown_table({"step", "action", "detail"}, rows)));
    return {kit::Exit::ok, headline};
  }

  if (pending.empty() && to_create.empty()) {
    ctx.report.output("applied", "");
    ctx.report.output("applied-count", "0");
    ctx.report.summary("### migrate-guard deploy: up to date\n\nNo pending migrations.\n\n" + status_markdown(s));
    return {kit::Exit::ok, "no pending migrations: database schema is up to date"};
  }

  pg::RestoreMarker marker = pg::record_restore_marker(*conn, pending.empty() ? "extensions" : pending.front()->name);
  ctx.report.output("restore-point-time", marker.time);
  ctx.report.output("restore-point-name", marker.name);
  ctx.report.output("restore-point-lsn", marker.lsn);
  kit::log::info("restore marker: " + marker.time + (marker.name.empty() ? "" : " (restore point " + marker.name + ")"));
  auto created = create_missing_extensions(*conn, ext_checks, p.extension_schema);
  ctx.report.output("created-extensions", kit::join(created, ", "));

  Ledger ledger(*conn, p.target.schema);
  ledger.create();

  std::vector<std::string> applied;
  std::vector<std::vector<std::string>> timing_rows;
  nlohmann::json timings = nlohmann::json::array();
  for (size_t i = 0; i < pending.size(); ++i) {
    const Entry& e = *pending[i];
    ctx.report.group_begin("apply " + e.name);
    kit::log::info("applying " + e.name);
    // Set again before each one: a migration that changes or resets them must not carry its
    // setting into the next.
    if (p.lock_timeout_sql) conn->query("SET lock_timeout = " + sql_ms(*p.lock_timeout_sql));
    if (p.statement_timeout) conn->query("SET statement_timeout = " + sql_ms(*p.statement_timeout));
    ApplyResult r = apply_migration(*conn, ledger, *e.file);
    ctx.report.group_end();
    timings.push_back({{"name", e.name}, {"ok", r.ok}, {"ms", r.elapsed.count()}});
    timing_rows.push_back({e.name, r.ok ? "applied" : "FAILED", kit::format_duration(r.elapsed)});
    if (r.ok) {
      applied.push_back(e.name);
      kit::log::info("applied " + e.name + " in " + kit::format_duration(r.elapsed));
      continue;
    }
    std::vector<std::string> not_applied;
    for (size_t j = i + 1; j < pending.size(); ++j) not_applied.push_back(pending[j]->name);
    std::string where = e.file->path + (r.where.line ? ":" + std::to_string(r.where.line) + ":" + std::to_string(r.where.col) : "");
    std::string headline = "migration " + e.name + " failed at " + where + ": " + r.error + "; applied before it: " +
                           (applied.empty() ? "none" : kit::join(applied, ", ")) + "; not attempted: " + (not_applied.empty() ? "none" : kit::join(not_applied, ", "));
    std::string hint = r.connection_lost
                           ? "the connection was lost while " + e.name + " ran, so its row could not be updated: check whether its "
                             "changes are in the database, then `migrate-guard resolve --rolled-back " + e.name +
                                 "` (not there) or `--applied " + e.name + "` (there)"
                           : "nothing of " + e.name + " was kept (one transaction). Fix migration.sql, then run `migrate-guard resolve "
                             "--rolled-back " + e.name + "` and deploy again";
    ctx.report.annotate(kit::Severity::error, r.error,
                        {.file = e.file->path, .line = r.where.line, .col = r.where.col, .title = "migrate-guard: " + e.name + " failed"});
    ctx.report.output("applied", kit::join(applied, ", "));
    ctx.report.output("applied-count", std::to_string(applied.size()));
    ctx.report.output("failed", e.name);
    ctx.report.result("timings", timings);
    ctx.report.summary("### migrate-guard deploy: FAILED at " + e.name + "\n\n" + headline + "\n\n**What to do:** " + hint +
                       "\n\nRestore marker: " + marker.time + (marker.name.empty() ? "" : " (`" + marker.name + "`)") + "\n\n" +
                       kit::markdown_table({"migration", "result", "time"}, timing_rows));
    return {kit::Exit::partial, headline, hint};
  }
  ctx.report.output("applied", kit::join(applied, ", "));
  ctx.report.output("applied-count", std::to_string(applied.size()));
  ctx.report.result("timings", timings);
  std::string headline = "applied " + std::to_string(applied.size()) + " migrations" +
                         (created.empty() ? "" : " (created extensions: " + kit::join(created, ", ") + ")");
  ctx.report.summary("### migrate-guard deploy: applied " + std::to_string(applied.size()) + " migrations\n\nRestore marker: " +
                     marker.time + (marker.name.empty() ? "" : " (`" + marker.name + "`)") + "\n\n" +
                     kit::markdown_table({"migration", "result", "time"}, timing_rows));
  return {kit::Exit::ok, headline};
}

}  // namespace migrate_guard
