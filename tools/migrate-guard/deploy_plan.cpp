#include "migrate-guard/deploy_plan.hpp"

#include <nlohmann/json.hpp>

#include "kit/text.hpp"
#include "migrate-guard/status.hpp"

namespace migrate_guard {
namespace {

std::vector<std::string> names(const std::vector<const Entry*>& v) {
  std::vector<std::string> out;
  for (const auto* e : v) out.push_back(e->name);
  return out;
}

DeployPlan refuse(DeployPlan p, Refusal why, std::string headline, std::string hint) {
  p.refusal = why;
  p.headline = std::move(headline);
  p.hint = std::move(hint);
  p.steps.clear();
  return p;
}

// The findings judged against the live target: an error that cannot hurt there becomes a warning
// that says why; the counts follow.
LintRun judge(const LintRun& in, const DeployFacts& facts, long long small_table_rows, std::vector<std::string>& not_blocking) {
  LintRun out = in;
  if (!facts.search_path_set_by.empty()) return out;
  for (auto& file : out.files)
    for (auto& f : file.findings) {
      if (f.suppressed || f.severity != lint::Severity::error) continue;
      std::string why = not_blocking_reason(f, facts.tables, small_table_rows);
      if (why.empty()) continue;
      f.severity = lint::Severity::warning;
      f.message += " (" + why + ")";
      --out.errors;
      ++out.warnings;
      not_blocking.push_back(file.path + ":" + std::to_string(f.line) + ": " + f.rule + ": " + why);
    }
  return out;
}

}  // namespace

std::string not_blocking_reason(const lint::Finding& f, const std::map<std::string, TableFacts>& tables, long long small_table_rows) {
  if (f.table.empty()) return "";
  std::string t = "table `" + f.table + "`";
  switch (f.table_origin) {
    case lint::TableOrigin::none: return "";
    case lint::TableOrigin::same_file: return t + " is new (created earlier in the same migration): not blocking";
    case lint::TableOrigin::earlier_migration:
      return t + " is new (created by " + (f.table_created_in.empty() ? std::string("a pending migration") : f.table_created_in) +
             " in this run): not blocking";
    case lint::TableOrigin::existing: break;
  }
  auto it = tables.find(f.table);
  if (it == tables.end() || !it->second.exists || !it->second.unknown.empty()) return "";
  const TableFacts& facts = it->second;
  if (facts.rows == 0 && !facts.at_least) return t + " has 0 rows: not blocking";
  if (!facts.at_least && facts.rows < small_table_rows)
    return t + " has fewer than " + std::to_string(small_table_rows) + " rows: not blocking";
  return "";
}

DeployPlan plan_deploy(const DeployFacts& facts, const DeployOptions& options) {
  const Status& s = facts.status;
  DeployPlan p;
  p.extension_schema = options.extension_schema;
  p.supabase = options.supabase;
  p.lock_timeout_sql = options.lock_timeout_sql;
  p.statement_timeout = options.statement_timeout;
  auto pending = s.with(State::pending);
  p.pending = names(pending);

  if (auto failed = s.with(State::failed); !failed.empty()) {
    const Entry& e = *failed.front();
    p.notes.push_back({kit::Severity::error, failed_message(e), {.file = e.file ? e.file->path : "", .title = "migrate-guard: failed migration"}});
    return refuse(std::move(p), Refusal::failed_migration, failed_message(e), failed_hint(e));
  }
  if (auto edited = s.with(State::edited); !edited.empty()) {
    if (!options.allow_edited) {
      for (const auto* e : edited)
        p.notes.push_back({kit::Severity::error, "migration " + e->name + " was edited after it was applied",
                           {.file = e->file->path, .line = 1, .title = "migrate-guard: edited after apply"}});
      return refuse(std::move(p), Refusal::edited_migrations,
                    "applied migrations were edited afterwards: " + kit::join(names(edited), ", "),
                    "restore them from git and put the change in a new migration; if the edit is cosmetic (comments, "
                    "whitespace), deploy with --allow-edited");
    }
    p.warnings.push_back("--allow-edited: ignoring edits to applied migrations " + kit::join(names(edited), ", "));
  }
  std::string dir = facts.folder ? facts.folder->dir : "the migrations folder";
  for (const auto* e : s.with(State::missing))
    p.warnings.push_back("migration " + e->name + " is recorded as applied but missing from " + dir);
  bool no_history = true;
  for (const auto& e : s.entries)
    if (e.row) no_history = false;
  if (no_history && facts.objects_without_history > 0) {
    std::string first = facts.folder && !facts.folder->migrations.empty() ? facts.folder->migrations.front().name : "NAME";
    return refuse(std::move(p), Refusal::not_baselined,
                  "schema " + facts.schema + " is not empty (" + std::to_string(facts.objects_without_history) +
                      " objects) and has no migration history (Prisma P3005)",
                  "baseline it: for each migration already reflected in the database run `migrate-guard resolve --applied "
                  "NAME` (e.g. " + first + "), then deploy");
  }
  if (!pending.empty() && !options.skip_lint) {
    if (facts.linter_missing) p.warnings.push_back("this build has no linter: pending migrations were not linted");
    if (facts.lint) {
      p.lint = judge(*facts.lint, facts, options.small_table_rows, p.not_blocking);
      if (!facts.search_path_set_by.empty() && facts.lint->errors > 0)
        p.warnings.push_back(facts.search_path_set_by + " changes search_path, so which table an unqualified name means is only known "
                             "while it runs: lint errors were not judged against the live database (all of them block)");
      for (const auto& [table, t] : facts.tables)
        if (t.exists && !t.unknown.empty())
          p.warnings.push_back("table `" + table + "` was not judged against the live database (" + t.unknown + "): its findings block");
      if (p.lint->errors > 0)
        return refuse(std::move(p), Refusal::lint_errors,
                      std::to_string(p.lint->errors) + " lint errors in pending migrations",
                      "fix the statements (see the annotations), or suppress one with `-- migrate-guard-ignore: RULE reason` "
                      "above it, or deploy with --skip-lint");
    }
  }

  for (const auto& c : facts.extensions)
    if (c.installed_schema.empty()) p.extensions_to_create.push_back(c.name);
  if (pending.empty() && p.extensions_to_create.empty()) return p;  // up to date: no marker either
  std::string first = pending.empty() ? "extensions" : pending.front()->name;
  p.steps.push_back({StepKind::restore_marker, first, nullptr});
  // After the marker: its server time names the point, so pitr-restore --before-migration finds it.
  if (options.supabase) p.steps.push_back({StepKind::supabase_restore_point, first, nullptr});
  for (const auto& e : p.extensions_to_create) p.steps.push_back({StepKind::create_extension, e, nullptr});
  for (const auto* e : pending) p.steps.push_back({StepKind::apply_migration, e->name, e->file});
  return p;
}

const char* step_kind_name(StepKind k) {
  switch (k) {
    case StepKind::restore_marker: return "restore-marker";
    case StepKind::supabase_restore_point: return "supabase-restore-point";
    case StepKind::create_extension: return "create-extension";
    case StepKind::apply_migration: return "apply-migration";
  }
  return "";
}

std::string describe(const Step& s, const DeployPlan& plan) {
  switch (s.kind) {
    case StepKind::restore_marker: return "record a restore marker (server time + pg_create_restore_point when permitted)";
    case StepKind::supabase_restore_point:
      return "create a named restore point in Supabase project " + (plan.supabase ? plan.supabase->project_ref : std::string("?")) +
             " (Management API)" + (plan.supabase && plan.supabase->optional ? "; a failure only warns (--allow-without-restore-point)"
                                                                               : "; a failure refuses the deploy");
    case StepKind::create_extension: return "create extension " + s.name + " (in schema " + plan.extension_schema + ")";
    case StepKind::apply_migration: return "apply " + s.name + (s.migration ? " (" + s.migration->path + ")" : "");
  }
  return "";
}

std::string plan_markdown(const DeployPlan& plan) {
  if (plan.steps.empty()) return "Nothing to do.\n";
  std::vector<std::vector<std::string>> rows;
  int n = 0;
  for (const auto& s : plan.steps) rows.push_back({std::to_string(++n), describe(s, plan)});
  return kit::markdown_table({"step", "action"}, rows);
}

nlohmann::json plan_json(const DeployPlan& plan) {
  nlohmann::json steps = nlohmann::json::array();
  for (const auto& s : plan.steps) steps.push_back({{"kind", step_kind_name(s.kind)}, {"name", s.name}});
  return {{"apply", plan.pending},
          {"create_extensions", plan.extensions_to_create},
          {"extension_schema", plan.extension_schema},
          {"steps", steps},
          {"not_blocking", plan.not_blocking}};
}

}  // namespace migrate_guard
