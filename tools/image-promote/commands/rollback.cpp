// `rollback REPO --tag T`: move a tag back to an earlier digest from its promotion history,
// guarded by --expect-current / --to-previous-of (the tag must be where the caller believes).
#include <nlohmann/json.hpp>

#include "image-promote/commands/commands.hpp"
#include "image-promote/commands/common.hpp"
#include "image-promote/commands/moves_report.hpp"
#include "image-promote/history.hpp"
#include "image-promote/promote.hpp"
#include "kit/error.hpp"
#include "kit/log.hpp"

namespace image_promote::commands {
namespace {

std::string short_digest(const std::string& d) { return d.empty() ? "(none)" : d.substr(0, 19); }

}  // namespace

kit::Outcome rollback(kit::Context& ctx) {
  const auto& args = ctx.args;
  RollbackRequest req;
  req.repository = parse_repository(args.str("repository"));
  req.tag = args.str("tag");
  if (!valid_tag(req.tag)) throw kit::usage_error("--tag: '" + req.tag + "' is not a valid tag");
  history_tag(req.tag);
  int targets = args.has("steps") + args.has("to") + args.has("to-previous-of");
  if (targets > 1) throw kit::usage_error("give one of --steps, --to and --to-previous-of");
  if (args.has("steps")) req.steps = static_cast<int>(args.integer("steps", 1, 100));
  if (args.has("to")) {
    req.to = args.str("to");
    if (!valid_digest(req.to)) throw kit::usage_error("--to: '" + req.to + "' is not a sha256 digest");
  }
  if (args.has("to-previous-of")) {
    req.to_previous_of = args.str("to-previous-of");
    if (!valid_digest(req.to_previous_of))
      throw kit::usage_error("--to-previous-of: '" + req.to_previous_of + "' is not a sha256 digest");
  }
  if (args.has("expect-current")) {
    std::string v = args.str("expect-current");
    if (v != "none" && !valid_digest(v)) throw kit::usage_error("--expect-current: '" + v + "' is not a sha256 digest (or 'none')");
    req.expect_current = v == "none" ? "" : v;
  }
  req.allow_unrecorded = args.flag("allow-unrecorded");
  if (req.allow_unrecorded && req.to.empty()) throw kit::usage_error("--allow-unrecorded goes with --to DIGEST");
  req.settle = args.duration("settle");
  auto s = session_request(ctx, {req.repository.registry});
  RegistrySession session(s.client, s.credentials);
  session.need(req.repository.registry, req.repository.repository, true);

  RollbackState state = nothing_changed_on_error([&] { return read_rollback_state(session, req); });
  RollbackPlan plan = plan_rollback(req, state.history, state.current);
  for (const auto& w : plan.warnings) kit::log::warn(w);
  std::string what = req.repository.str() + ":" + req.tag;
  if (plan.refusal) {
    ctx.report.output("digest", state.current);
    ctx.report.output("previous-digest", state.current);
    ctx.report.result("refused", true);
    return {kit::Exit::negative, "rollback refused: " + plan.refusal->message, plan.refusal->hint};
  }
  if (args.flag("dry-run")) return report_plan(ctx, "rollback " + what, describe(plan));

  RollbackResult r = nothing_changed_on_error([&] { return execute(session, plan, req, ctx.env); });
  report_copy_figures(ctx.report, r.digest, r.move.previous, {}, CopyStats{});
  report_moves(ctx, "rollback " + what, {r.move});
  if (r.move.refusal) return {kit::Exit::negative, "rollback refused: " + r.move.refusal->message, r.move.refusal->hint};
  if (r.move.state == MoveState::unchanged) return {kit::Exit::ok, what + " already points at " + r.digest, ""};
  return {kit::Exit::ok,
          "rolled back " + what + " from " + short_digest(r.move.previous) + " to " + short_digest(r.digest), ""};
}

}  // namespace image_promote::commands
