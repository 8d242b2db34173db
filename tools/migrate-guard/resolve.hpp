#pragma once
// resolve --applied / --rolled-back, with Prisma's semantics and refusals (P3008, P3011, P3012).
#include <string>

#include "kit/duration.hpp"
#include "migrate-guard/database.hpp"

namespace migrate_guard {

enum class ResolveMark { applied, rolled_back };

struct ResolveRequest {
  std::string dir;
  Database db;
  kit::Millis lock_timeout{10'000};
  ResolveMark mark = ResolveMark::applied;
  std::string name;
};

enum class ResolveVerdict {
  marked,            // done
  never_applied,     // --rolled-back on a migration the ledger never saw (P3011)
  not_failed,        // --rolled-back on a migration that is not failed (P3012)
  already_applied,   // --applied on an applied migration (P3008)
};

struct ResolveResult {
  ResolveVerdict verdict = ResolveVerdict::marked;
  bool failed_attempt_rolled_back = false;  // --applied on a failed migration marks that attempt rolled back
  bool on_disk = true;                      // the migration's folder is in --dir
};

// Throws kit::Error(usage) for a pooled URL or (--applied) a name not in the folder (P3017).
ResolveResult resolve(const ResolveRequest& request);

}  // namespace migrate_guard
