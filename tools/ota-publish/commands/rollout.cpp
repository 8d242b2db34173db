// rollout: options -> RolloutRequest -> read the rollout -> plan (refusal or one eas write) ->
// --dry-run prints it, else execute and check the state eas reports -> report.
#include "ota-publish/commands/common.hpp"
#include "ota-publish/ota_publish.hpp"
#include "ota-publish/rollout.hpp"
#include "ota-publish/untrusted_text.hpp"
#include "kit/text.hpp"

namespace ota {

namespace {

// rollout --group G: the rollout of one update group rather than a channel's.
kit::Outcome run_group_rollout(kit::Context& ctx) {
  const auto& a = ctx.args;
  GroupRolloutRequest req;
  req.group = commands::group_arg(a, "group");
  for (const char* other : {"channel", "branch", "runtime-version"})
    if (commands::text_arg(a, other)) throw kit::usage_error(std::string("--group and --") + other + " exclude each other (a group's rollout needs neither)");
  bool percent = commands::text_arg(a, "percent").has_value();
  req.end = a.flag("end");
  if (req.end == percent) throw kit::usage_error(req.end ? "--percent and --end exclude each other" : "missing --percent N (0-100: start or change the rollout) or --end (end it)");
  if (percent) req.percent = static_cast<int>(a.integer("percent", 1, 100));
  if (req.end && a.str("outcome") != "revert")
    throw kit::usage_error("--group --end only reverts (eas update:revert-update-rollout); to give the group to everyone use --percent 100");
  req.message = "Revert the rollout of " + req.group;
  EasSetup setup = commands::eas_setup(ctx);
  EasCall write = group_rollout_call(req);
  ctx.report.output("group", req.group);
  if (a.flag("dry-run")) {
    commands::show_commands(ctx, "ota-publish rollout --dry-run: would run", setup.program, {write});
    ctx.report.output("dry-run", "true");
    return {kit::Exit::ok, "dry run: would " + write.purpose + "; nothing changed"};
  }
  GroupRolloutResult r = execute_group_rollout(process_runner(setup), req);
  ctx.report.output("branch", r.branch);
  ctx.report.output("runtime-version", r.runtime_version);
  std::string headline;
  if (req.end) {
    ctx.report.output("new-group", r.new_group);
    headline = "rollout of group " + req.group + " reverted: group " + r.new_group + " republished on branch " + shown(r.branch, 100) + " (verified)";
  } else {
    ctx.report.output("percent", r.percent ? std::to_string(*r.percent) : "100");
    headline = "group " + req.group + " now reaches " + std::to_string(req.percent) + " % of its users (verified)";
  }
  ctx.report.summary("### ota-publish rollout\n\n" + kit::valid_utf8(headline) + "\n");
  return {kit::Exit::ok, headline};
}

}  // namespace

kit::Outcome run_rollout(kit::Context& ctx) {
  const auto& a = ctx.args;
  if (commands::text_arg(a, "group")) return run_group_rollout(ctx);
  RolloutRequest req;
  req.channel = commands::channel_arg(a);
  bool percent = commands::text_arg(a, "percent").has_value();
  req.end = a.flag("end");
  if (req.end == percent) throw kit::usage_error(req.end ? "--percent and --end exclude each other" : "missing --percent N (0-100: start or change the rollout) or --end (end it)");
  if (percent) req.percent = static_cast<int>(a.integer("percent", 0, 100));
  auto outcome = parse_rollout_outcome(a.str("outcome"));
  if (!outcome) throw kit::usage_error("--outcome: '" + shown(a.str("outcome"), 60) + "' is not an outcome (use revert or republish-and-revert)");
  req.outcome = *outcome;
  for (const char* name : {"branch", "runtime-version"})
    if (auto v = commands::text_arg(a, name)) {
      if (auto problem = name_problem(std::string("--") + name, *v); !problem.empty()) throw kit::usage_error(problem);
      (std::string(name) == "branch" ? req.branch : req.runtime_version) = *v;
    }
  EasSetup setup = commands::eas_setup(ctx);
  EasRunner runner = process_runner(setup);
  RolloutPlan plan = read_and_plan_rollout(runner, req);
  ctx.report.output("channel", req.channel);
  if (plan.before.current) ctx.report.output("previous-percent", std::to_string(plan.before.current->percent));
  if (plan.refusal) {
    ctx.report.annotate_verdict(kit::Severity::error, *plan.refusal, {.title = "ota-publish rollout: refused"});
    return {kit::Exit::negative, "refused: " + *plan.refusal, plan.hint};
  }
  if (a.flag("dry-run")) {
    commands::show_commands(ctx, "ota-publish rollout --dry-run: read the rollout, then would run the last command", setup.program,
                            {plan.view, plan.write});
    ctx.report.output("dry-run", "true");
    return {kit::Exit::ok, "dry run: would " + plan.write.purpose + "; nothing changed"};
  }
  RolloutState after = execute_rollout(runner, req, plan);
  ctx.report.output("has-rollout", after.has_rollout ? "true" : "false");
  if (after.current) {
    ctx.report.output("percent", std::to_string(after.current->percent));
    ctx.report.output("rolled-out-branch", after.current->rolled_out_branch);
    ctx.report.output("default-branch", after.current->default_branch);
    ctx.report.output("runtime-version", after.current->runtime_version);
  }
  std::string headline = req.end ? "rollout on channel " + req.channel + " ended (" + std::string(rollout_outcome_name(req.outcome)) + ")"
                                  : "channel " + req.channel + " now sends " + std::to_string(req.percent) + " % of its users to branch " +
                                        (after.current ? kit::valid_utf8(after.current->rolled_out_branch) : std::string("?"));
  ctx.report.summary("### ota-publish rollout\n\n" + kit::valid_utf8(headline) + "\n");
  return {kit::Exit::ok, headline};
}

}  // namespace ota
