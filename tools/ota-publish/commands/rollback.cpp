// rollback: options -> RollbackRequest -> read what the channel serves -> plan (refusal or one eas
// write) -> --dry-run prints it, else execute + verify -> report.
#include <nlohmann/json.hpp>

#include "kit/log.hpp"
#include "kit/text.hpp"

#include "ota-publish/commands/common.hpp"
#include "ota-publish/ota_publish.hpp"
#include "ota-publish/rollback.hpp"
#include "ota-publish/untrusted_text.hpp"

namespace ota {
namespace {

nlohmann::json group_json(const std::optional<GroupSummary>& g) {
  if (!g) return nullptr;
  return {{"group", g->group},
          {"runtime_version", kit::valid_utf8(g->runtime_version)},
          {"message", kit::valid_utf8(g->message)},
          {"platforms", kit::valid_utf8(g->platforms)},
          {"is_roll_back_to_embedded", g->roll_back_to_embedded}};
}

}  // namespace

kit::Outcome run_rollback(kit::Context& ctx) {
  const auto& a = ctx.args;
  RollbackRequest req;
  req.channel = commands::channel_arg(a);
  req.platform = commands::platform_arg(a);
  bool to_group = commands::text_arg(a, "to-group").has_value();
  if (to_group && a.flag("to-embedded")) throw kit::usage_error("--to-group and --to-embedded exclude each other (pick one target)");
  if (to_group) {
    req.target = RollbackTarget::group;
    req.to_group = commands::group_arg(a, "to-group");
  } else if (a.flag("to-embedded")) {
    req.target = RollbackTarget::embedded;
  }
  if (commands::text_arg(a, "expect-current")) req.expect_current = commands::group_arg(a, "expect-current");
  req.runtime_version = commands::text_arg(a, "runtime-version");
  if (req.runtime_version)
    if (auto problem = name_problem("--runtime-version", *req.runtime_version); !problem.empty()) throw kit::usage_error(problem);
  // Else the check on what eas describes would blame eas for our own option.
  if (req.runtime_version && kit::valid_utf8(*req.runtime_version) != *req.runtime_version)
    throw kit::usage_error("--runtime-version '" + shown(*req.runtime_version, 60) + "' is not valid UTF-8");
  req.message = commands::text_arg(a, "message");
  EasSetup setup = commands::eas_setup(ctx);
  EasRunner runner = process_runner(setup);

  std::vector<EasCall> reads;
  ServedState state = read_served(runner, req.channel, req.runtime_version, &reads);
  RollbackPlan plan = plan_rollback(req, state);
  ctx.report.output("channel", req.channel);
  ctx.report.output("branch", plan.branch);
  ctx.report.output("runtime-version", plan.runtime_version);
  if (plan.current) ctx.report.output("current-group", plan.current->group);
  if (plan.target) ctx.report.output("target-group", plan.target->group);
  ctx.report.result("current", group_json(plan.current));
  ctx.report.result("target", group_json(plan.target));
  ctx.report.output("rolled-back", "false");
  if (plan.refusal) {
    ctx.report.annotate_verdict(kit::Severity::error, *plan.refusal, {.title = "ota-publish rollback: refused"});
    ctx.report.summary("### ota-publish rollback: refused\n\n" + kit::valid_utf8(*plan.refusal) + "\n");
    return {kit::Exit::negative, "refused: " + *plan.refusal, plan.hint};
  }
  std::string what = plan.target ? "group " + plan.target->group : "the embedded update";
  if (!plan.note.empty()) kit::log::info(plan.note);
  if (a.flag("dry-run")) {
    reads.push_back(plan.write);
    commands::show_commands(ctx, "ota-publish rollback --dry-run: read the channel, then would run the last command", setup.program, reads);
    ctx.report.output("dry-run", "true");
    return {kit::Exit::ok, "dry run: would roll channel " + req.channel + " back from group " + plan.current->group + " to " + what + "; nothing changed"};
  }
  RollbackResult r = execute_rollback(runner, plan);
  ctx.report.output("rolled-back", "true");
  ctx.report.output("new-group", r.new_group);
  std::string headline = "channel " + req.channel + " rolled back from group " + plan.current->group + " to " + what +
                         " (published as group " + r.new_group + ", verified" +
                         (r.eas_failure.empty() ? "" : "; " + r.eas_failure + " after publishing, see the log") + ")";
  ctx.report.summary("### ota-publish rollback: done\n\n" +
                     kit::markdown_table({"channel", "branch", "runtime", "was", "now serves", "copy of"},
                                         {{kit::valid_utf8(req.channel), kit::valid_utf8(plan.branch), kit::valid_utf8(plan.runtime_version),
                                           plan.current->group, r.new_group, plan.target ? plan.target->group : "embedded update"}}));
  return {kit::Exit::ok, headline};
}

}  // namespace ota
