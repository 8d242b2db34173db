#pragma once
// deploy as a library: connect and refuse poolers, take Prisma's lock, observe (status, schema,
// extensions, lint), plan_deploy, then execute the plan's steps in order. The command renders the
// plan (dry run) or the result, once.
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kit/duration.hpp"
#include "migrate-guard/apply.hpp"
#include "migrate-guard/database.hpp"
#include "migrate-guard/deploy_plan.hpp"
#include "migrate-guard/migrations.hpp"
#include "pg/restore_marker.hpp"

namespace migrate_guard {

struct DeployRequest {
  std::string dir;
  Database db;
  DeployOptions options;
};

struct MigrationRun {
  std::string name;
  bool ok = false;
  kit::Millis elapsed{0};
};

struct DeployFailure {
  const Migration* migration = nullptr;
  ApplyResult result;
  std::vector<std::string> not_attempted;
};

struct DeployResult {
  std::optional<pg::RestoreMarker> marker;
  std::string supabase_restore_point;        // the name created in the Supabase project, "" when none
  std::string supabase_restore_point_error;  // why none was created (--allow-without-restore-point)
  std::vector<std::string> created_extensions;
  std::vector<std::string> applied;
  std::vector<MigrationRun> runs;
  std::optional<DeployFailure> failure;
};

// Told about each step as it starts and ends (the command opens a log group per migration).
struct StepObserver {
  std::function<void(const Step&)> begin = [](const Step&) {};
  std::function<void(const Step&)> end = [](const Step&) {};
};

// Runs the plan's steps in order on `conn` (which must hold the migration lock); stops at the
// first failed migration. A plan that is refused or has nothing to do changes nothing.
DeployResult execute(const DeployPlan& plan, pg::Connection& conn, const std::string& schema, const StepObserver& observer = {});

// The whole deploy: everything read, the plan made, and, unless dry_run or refused, executed.
struct DeployRun {
  MigrationsFolder folder;
  Status status;                     // points into folder
  DeployPlan plan;                   // points into folder
  std::optional<DeployResult> result;  // absent for a dry run, a refusal or nothing to do
  DeployRun() = default;
  DeployRun(const DeployRun&) = delete;
  DeployRun& operator=(const DeployRun&) = delete;
};
std::unique_ptr<DeployRun> deploy(const DeployRequest& request, const StepObserver& observer = {});

}  // namespace migrate_guard
