// plan: the resolved target, the window check, what will be lost and every step; changes nothing.
#include "kit/error.hpp"
#include "pitr-restore/commands/command.hpp"
#include "pitr-restore/facts.hpp"
#include "pitr-restore/pitr_restore.hpp"

namespace pitr_restore {

kit::Outcome run_plan(kit::Context& ctx) {
  Request request = request_from(ctx, Needs::target);
  Micros now = now_micros();
  Plan plan = build_plan(request, gather_facts(request, ctx.env, now), now);
  report_plan(ctx.report, request, plan, "pitr-restore plan (" + std::string(provider_name(request.provider)) + ")", true);
  if (!plan.ok()) throw refused_error(plan);
  return {kit::Exit::ok, "plan: restore to " + plan.target.describe() + "; lost: " + plan.loss +
                             (plan.migrations_lost.empty() ? "" : " (" + std::to_string(plan.migrations_lost.size()) + " migrations)")};
}

}  // namespace pitr_restore
