#pragma once
// deploy's decision as a value: what was observed in the folder and the database goes in, a
// refusal or the ordered steps come out (restore marker, extensions, migrations). plan_deploy is
// pure, so `--dry-run` prints exactly what a real run would do and unit tests build plans without
// a database.
#include <nlohmann/json_fwd.hpp>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "kit/duration.hpp"
#include "kit/report.hpp"
#include "migrate-guard/extensions.hpp"
#include "migrate-guard/lint_runner.hpp"
#include "migrate-guard/state.hpp"

namespace migrate_guard {

// A Supabase project to create a named restore point in (Management API) before migrating, so
// `pitr-restore --before-migration` can restore to it. The token is a secret (kit::secrets()).
struct SupabaseRestorePoint {
  std::string project_ref;
  std::string api_url = "https://api.supabase.com";
  std::string token;  // SUPABASE_ACCESS_TOKEN
  // false: a restore point that cannot be created refuses the deploy (nothing migrated); true
  // (--allow-without-restore-point): it is a warning and the deploy goes on.
  bool optional = false;
};

struct DeployOptions {
  kit::Millis lock_timeout{10'000};
  std::optional<kit::Millis> lock_timeout_sql, statement_timeout;  // SET before each migration
  std::vector<std::string> extensions;                             // --require-extension
  std::string extension_schema = "public";
  bool allow_edited = false;
  bool skip_lint = false;
  bool dry_run = false;
  std::vector<std::string> disabled_rules;
  // A lint finding on an existing table with fewer rows than this is not blocking (an empty table
  // never is): the lock or rewrite it warns about is over before anyone waits.
  long long small_table_rows = 0;
  std::optional<SupabaseRestorePoint> supabase;  // --supabase-project
};

// A table a lint finding concerns, as the live target has it.
struct TableFacts {
  bool exists = false;
  long long rows = 0;   // counted up to a cap: exact below it
  bool at_least = false;  // the count reached the cap (or the estimate was above it): rows is a lower bound
  std::string unknown;    // why the rows cannot be judged (row-level security, a name resolving elsewhere): blocking
};

// What deploy read before deciding. `status` points into `folder`, which the caller keeps alive.
struct DeployFacts {
  const MigrationsFolder* folder = nullptr;
  Status status;
  std::string schema = "public";             // where _prisma_migrations lives
  long long objects_without_history = 0;     // user objects in `schema` when there is no history
  std::vector<ExtensionCheck> extensions;    // one per --require-extension
  std::optional<LintRun> lint;               // the pending migrations linted; nullopt when not linted
  std::map<std::string, TableFacts> tables;  // by Finding::table, for findings on tables that exist before this run
  bool linter_missing = false;               // this build has no linter
  // A pending migration that changes search_path (named here) changes what unqualified names mean
  // while the run goes on: then no finding is judged against the live target.
  std::string search_path_set_by;
};

enum class Refusal { none, failed_migration, edited_migrations, not_baselined, lint_errors };

// One annotation-to-be; the command writes it.
struct Note {
  kit::Severity severity = kit::Severity::error;
  std::string message;
  kit::Location where;
};

enum class StepKind { restore_marker, supabase_restore_point, create_extension, apply_migration };

struct Step {
  StepKind kind = StepKind::apply_migration;
  std::string name;                     // extension or migration name
  const Migration* migration = nullptr; // for apply_migration
};

struct DeployPlan {
  Refusal refusal = Refusal::none;
  std::string headline, hint;   // of the refusal
  std::vector<Note> notes;      // annotations for the refusal (lint findings are in `lint`)
  std::vector<std::string> warnings;
  std::vector<Step> steps;      // in order; empty: nothing to do
  std::vector<std::string> pending;       // names, in apply order
  std::vector<std::string> extensions_to_create;
  std::string extension_schema;
  std::optional<SupabaseRestorePoint> supabase;  // for the supabase_restore_point step
  std::optional<kit::Millis> lock_timeout_sql, statement_timeout;
  std::optional<LintRun> lint;  // the pending migrations' findings, as judged for this target
  // Findings the live target makes harmless, one line each ("table `public.users` is new (created by
  // ...): not blocking"); their copies in `lint` are warnings now.
  std::vector<std::string> not_blocking;

  bool refused() const { return refusal != Refusal::none; }
  bool nothing_to_do() const { return !refused() && steps.empty(); }
};

DeployPlan plan_deploy(const DeployFacts& facts, const DeployOptions& options);

// Why a lint error on `f`'s table does not block on this target, or "" when it does: the table is
// created by a pending migration of this run, or exists with 0 rows, or fewer than small_table_rows.
std::string not_blocking_reason(const lint::Finding& f, const std::map<std::string, TableFacts>& tables, long long small_table_rows);

const char* step_kind_name(StepKind k);
std::string describe(const Step& s, const DeployPlan& plan);  // "apply 2024..._init (path)"
std::string plan_markdown(const DeployPlan& plan);             // the numbered steps as a table
nlohmann::json plan_json(const DeployPlan& plan);

}  // namespace migrate_guard
