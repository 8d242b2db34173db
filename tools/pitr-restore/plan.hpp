#pragma once
// The plan: the resolved target, the window it was checked against, what will be lost and every
// step the restore will take. Built as a pure value from the request and the facts read so far
// (window, ledger, server state), so `plan`, `restore --dry-run` and the unit tests print the
// same thing, and a restore executes exactly what was shown.
#include <optional>
#include <string>
#include <vector>

#include "kit/error.hpp"
#include "pitr-restore/request.hpp"
#include "pitr-restore/target.hpp"
#include "pitr-restore/window.hpp"

namespace pitr_restore {

// One row of _prisma_migrations.
struct AppliedMigration {
  std::string name;
  Micros started_at = 0;
  bool finished = false;
  bool rolled_back = false;
};

// What was read before planning (effects: API, files, database).
inline const std::string kNoDatabaseUrl = "no --database-url";

struct Facts {
  Window window;
  std::optional<std::vector<AppliedMigration>> ledger;  // when --database-url was given and the ledger exists
  std::string ledger_problem;                           // why the ledger could not be read (kNoDatabaseUrl: not asked for)
  bool server_running = false;                          // self-managed: a postmaster runs on the data directory
  std::vector<std::string> unarchived_wal;              // self-managed: segments only the old pg_wal holds
  std::optional<std::string> archive_gap;               // self-managed: first missing segment
  std::string aside;                                    // where the old data directory will go
};

struct Step {
  std::string action;
  std::string detail;
};

// Why a plan is refused: a target outside what can be recovered is the operator's to change
// (exit 2); a missing add-on or a broken archive is the environment's (exit 3).
// A project busy with another operation (a restore under way) is the environment's too: wait.
enum class Refusal { none, target, unavailable, archive_gap, busy };

// The error a refused plan ends with: exit 2 for the operator's target, 3 for the environment's.
kit::Error refused_error(const std::string& message, Refusal why);

struct Plan {
  Provider provider = Provider::postgres;
  RecoveryTarget target;
  Window window;
  Micros now = 0;
  Refusal refused = Refusal::none;
  std::string refusal;  // why, with the window in the message
  std::string confirm_id;  // what --confirm must name: the project ref or the data directory
  std::vector<std::string> migrations_lost;  // applied at or after the target, oldest first
  std::string loss;  // "everything written after 2026-...Z (the last 12m30s)"
  std::vector<Step> steps;
  std::string old_data_dir;  // self-managed: the planned aside path
  std::vector<std::string> warnings;
  bool ok() const { return refused == Refusal::none; }
};

// The same for a refused plan: "target refused: …", or the busy project as it is.
kit::Error refused_error(const Plan& plan);

// Resolves --before-migration through the ledger: the migration's started_at, just before it
// (recovery stops before any commit at or after that instant). Throws kit::Error(usage) for an
// unknown migration (naming the ones that exist) and kit::Error(environment) without a ledger.
RecoveryTarget resolve_target(const TargetRequest& request, const Facts& facts, const std::vector<NamedPoint>& points);

Plan build_plan(const Request& request, const Facts& facts, Micros now);

}  // namespace pitr_restore
