// window: is PITR available, from when to when, which restore points.
#include "pitr-restore/commands/command.hpp"
#include "pitr-restore/facts.hpp"
#include "pitr-restore/pitr_restore.hpp"

namespace pitr_restore {

kit::Outcome run_window(kit::Context& ctx) {
  Request request = request_from(ctx, Needs::window);
  Facts facts = gather_facts(request, ctx.env, now_micros());
  report_window(ctx.report, request, facts.window);
  if (!facts.window.available)
    return {kit::Exit::negative, "point-in-time recovery is not available: " + facts.window.unavailable_reason,
            "enable PITR (Supabase: the add-on; self-managed: archive_mode + a base backup) before you need it"};
  return {kit::Exit::ok, "recoverable: " + facts.window.describe()};
}

}  // namespace pitr_restore
