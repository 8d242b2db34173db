// resolve: options -> ResolveRequest -> resolve() -> the verdict in Prisma's words.
#include "kit/error.hpp"
#include "kit/log.hpp"
#include "migrate-guard/commands/common.hpp"
#include "migrate-guard/migrate_guard.hpp"
#include "migrate-guard/resolve.hpp"

namespace migrate_guard {

namespace {

kit::Outcome resolve_command(kit::Context& ctx) {
  auto applied = ctx.args.opt("applied");
  auto rolled_back = ctx.args.opt("rolled-back");
  if (applied && applied->empty()) applied.reset();
  if (rolled_back && rolled_back->empty()) rolled_back.reset();
  if (!applied == !rolled_back) throw kit::usage_error("resolve needs exactly one of --applied NAME or --rolled-back NAME");
  ResolveRequest req{.dir = ctx.args.str("dir"),
                     .db = database_from_args(ctx),
                     .lock_timeout = ctx.args.duration("lock-timeout"),
                     .mark = applied ? ResolveMark::applied : ResolveMark::rolled_back,
                     .name = applied ? *applied : *rolled_back};
  const std::string& name = req.name;
  ResolveResult r = resolve(req);
  switch (r.verdict) {
    case ResolveVerdict::never_applied:
      return {kit::Exit::negative, "migration " + name + " was never applied to this database (Prisma P3011): nothing to roll back",
              "check the name with `migrate-guard status`"};
    case ResolveVerdict::not_failed:
      return {kit::Exit::negative, "migration " + name + " is not in a failed state (Prisma P3012): only failed migrations can be marked rolled back",
              "check `migrate-guard status`; to undo an applied migration write a new migration"};
    case ResolveVerdict::already_applied:
      return {kit::Exit::negative, "migration " + name + " is already recorded as applied (Prisma P3008)",
              "nothing to resolve; `migrate-guard status` shows the state"};
    case ResolveVerdict::marked:
      break;
  }
  std::string headline = req.mark == ResolveMark::rolled_back
                             ? "marked failed migration " + name + " as rolled back; " +
                                   (r.on_disk ? std::string("the next deploy runs it again")
                                              : "its folder is not in " + req.dir + ", so no deploy will run it unless it is put back")
                             : "recorded migration " + name + " as applied without running it" +
                                   (r.failed_attempt_rolled_back ? std::string(" (its failed attempt is marked rolled back)") : "");
  ctx.report.output("resolved", name);
  ctx.report.summary("### migrate-guard resolve\n\n" + headline + "\n");
  return {kit::Exit::ok, headline};
}

}  // namespace

kit::Outcome run_resolve(kit::Context& ctx) {
  return annotating_files(ctx, [&] { return resolve_command(ctx); });
}

}  // namespace migrate_guard
