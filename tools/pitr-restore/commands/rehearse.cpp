// rehearse: the same target into a scratch data directory; production is only read.
#include "kit/error.hpp"
#include "pitr-restore/commands/command.hpp"
#include "pitr-restore/facts.hpp"
#include "pitr-restore/pitr_restore.hpp"
#include "pitr-restore/self_managed.hpp"

namespace pitr_restore {

kit::Outcome run_rehearse(kit::Context& ctx) {
  Request request = request_from(ctx, Needs::target);
  Micros now = now_micros();
  Facts facts = gather_facts(request, ctx.env, now);
  Plan plan = build_plan(request, facts, now);
  // The rehearsal's steps are the restore's, into a scratch directory; the plan is shown as is.
  report_plan(ctx.report, request, plan, "pitr-restore rehearse (" + std::string(provider_name(request.provider)) + "): plan");
  if (!plan.ok()) throw refused_error(plan);
  RestoreResult result = rehearse_self_managed(request, plan, ctx.env);
  std::string verdict = "Rehearsed the restore to " + plan.target.describe() + " in " + kit::format_duration(result.timeline.elapsed()) +
                        "; production was not touched.";
  bool failed = result.verify.ran && !result.verify.passed;
  report_result(ctx.report, request, plan, result, std::string("pitr-restore rehearse: ") + (failed ? "verification FAILED" : "done"), verdict);
  if (failed)
    return {kit::Exit::negative, "rehearsal reached " + plan.target.describe() + ", but --verify-sql returned no row there",
            "pick another target (pitr-restore window), and rehearse again before restoring"};
  return {kit::Exit::ok, "rehearsal reached " + plan.target.describe() + " in " + kit::format_duration(result.timeline.elapsed()) +
                             (result.verify.ran ? "; --verify-sql returned a row" : "") + "; production untouched"};
}

}  // namespace pitr_restore
