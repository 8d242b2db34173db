#include "migrate-guard/resolve.hpp"

#include <vector>

#include "kit/error.hpp"
#include "migrate-guard/ledger.hpp"
#include "migrate-guard/lock.hpp"
#include "migrate-guard/migrations.hpp"
#include "pg/connection.hpp"
#include "pg/pooler.hpp"

namespace migrate_guard {

ResolveResult resolve(const ResolveRequest& req) {
  MigrationsFolder folder = read_migrations(req.dir);
  pg::refuse_pooler(req.db.target);
  const std::string& name = req.name;
  const Migration* file = nullptr;
  for (const auto& m : folder.migrations)
    if (m.name == name) file = &m;
  if (req.mark == ResolveMark::applied && !file)
    throw kit::usage_error("--applied: there is no migration '" + name + "' in " + folder.dir + " (Prisma P3017)");

  auto conn = connect(req.db);
  MigrationLock lock(*conn, req.lock_timeout);

  Ledger ledger(*conn, req.db.target.schema);
  std::vector<LedgerRow> rows = ledger.rows();
  std::vector<const LedgerRow*> mine;
  for (const auto& r : rows)
    if (r.name == name) mine.push_back(&r);
  const LedgerRow* failed = nullptr;
  const LedgerRow* done = nullptr;
  for (const auto* r : mine) {
    if (r->rolled_back_at) continue;
    if (r->finished_at) done = r;
    else failed = r;
  }

  ResolveResult result;
  result.on_disk = file != nullptr;
  if (req.mark == ResolveMark::rolled_back) {
    if (mine.empty()) return {ResolveVerdict::never_applied};
    if (!failed) return {ResolveVerdict::not_failed};
    ledger.mark_rolled_back(failed->id);
    return result;
  }
  if (done && !failed) return {ResolveVerdict::already_applied};
  ledger.create();
  if (failed) ledger.mark_rolled_back(failed->id);
  ledger.insert_applied(name, file->checksum);
  result.failed_attempt_rolled_back = failed != nullptr;
  return result;
}

}  // namespace migrate_guard
