// resolve --applied / --rolled-back, with Prisma's semantics and refusals (P3008, P3011, P3012).
#include "kit/log.hpp"
#include "migrate-guard/database.hpp"
#include "migrate-guard/ledger.hpp"
#include "migrate-guard/lock.hpp"
#include "migrate-guard/migrate_guard.hpp"
#include "migrate-guard/status.hpp"
#include "pg/pooler.hpp"

namespace migrate_guard {

kit::Outcome run_resolve(kit::Context& ctx) {
  auto applied = ctx.args.opt("applied");
  auto rolled_back = ctx.args.opt("rolled-back");
  if (applied && applied->empty()) applied.reset();
  if (rolled_back && rolled_back->empty()) rolled_back.reset();
  if (!applied == !rolled_back) throw kit::usage_error("resolve needs exactly one of --applied NAME or --rolled-back NAME");
  MigrationsFolder folder = read_migrations(ctx.args.str("dir"));
  pg::DbTarget target = target_from_args(ctx);
  pg::refuse_pooler(target);
  std::string name = applied ? *applied : *rolled_back;
  const Migration* file = nullptr;
  for (const auto& m : folder.migrations)
    if (m.name == name) file = &m;
  if (applied && !file)
    throw kit::usage_error("--applied: there is no migration '" + name + "' in " + folder.dir + " (Prisma P3017)");

  auto conn = connect(ctx, target);
  MigrationLock lock(*conn, ctx.args.duration("lock-timeout"));
  Ledger ledger(*conn, target.schema);
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

  if (rolled_back) {
    if (mine.empty())
      return {kit::Exit::negative, "migration " + name + " was never applied to this database (Prisma P3011): nothing to roll back",
              "check the name with `migrate-guard status`"};
    if (!failed)
      return {kit::Exit::negative, "migration " + name + " is not in a failed state (Prisma P3012): only failed migrations can be marked rolled back",
              "check `migrate-guard status`; to undo an applied migration write a new migration"};
    ledger.mark_rolled_back(failed->id);
    std::string headline = "marked failed migration " + name + " as rolled back; the next deploy runs it again";
    kit::log::info(headline);
    ctx.report.output("resolved", name);
    ctx.report.summary("### migrate-guard resolve\n\n" + headline + "\n");
    return {kit::Exit::ok, headline};
  }

  if (done && !failed)
    return {kit::Exit::negative, "migration " + name + " is already recorded as applied (Prisma P3008)",
            "nothing to resolve; `migrate-guard status` shows the state"};
  ledger.create();
  if (failed) ledger.mark_rolled_back(failed->id);
  ledger.insert_applied(name, file->checksum);
  std::string headline = "recorded migration " + name + " as applied without running it" +
                         (failed ? std::string(" (its failed attempt is marked rolled back)") : "");
  kit::log::info(headline);
  ctx.report.output("resolved", name);
  ctx.report.summary("### migrate-guard resolve\n\n" + headline + "\n");
  return {kit::Exit::ok, headline};
}

}  // namespace migrate_guard
