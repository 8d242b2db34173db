#include "ota-publish/rollout.hpp"

#include "kit/error.hpp"
#include "ota-publish/eas_output.hpp"
#include "ota-publish/untrusted_text.hpp"

namespace ota {

RolloutPlan plan_rollout(const RolloutRequest& request, const RolloutState& before) {
  RolloutPlan plan;
  plan.before = before;
  plan.view = rollout_call({.channel = request.channel, .action = RolloutAction::view});
  const std::string& c = request.channel;
  if (request.end) {
    if (!before.has_rollout) {
      plan.refusal = "channel " + c + " has no rollout in progress; nothing changed";
      plan.hint = "check the channel name (eas channel:view " + c + ")";
      return plan;
    }
    plan.write = rollout_call({.channel = c, .action = RolloutAction::end, .outcome = request.outcome});
    return plan;
  }
  if (before.has_rollout) {
    if (request.branch && before.current && before.current->rolled_out_branch != *request.branch) {
      plan.refusal = "channel " + c + " is already rolling out branch " + shown(before.current->rolled_out_branch, 100) + ", not " + *request.branch;
      plan.hint = "end that rollout first (--end), or leave --branch out to change its percentage";
      return plan;
    }
    plan.write = rollout_call({.channel = c, .action = RolloutAction::edit, .percent = request.percent});
    return plan;
  }
  if (!request.branch || !request.runtime_version)
    throw kit::usage_error("channel " + c + " has no rollout yet: starting one needs --branch and --runtime-version",
                           "--branch: the branch to send users to; --runtime-version: the runtime whose builds take part");
  plan.write = rollout_call({.channel = c, .action = RolloutAction::create, .percent = request.percent, .branch = request.branch,
                             .runtime_version = request.runtime_version});
  return plan;
}

RolloutPlan read_and_plan_rollout(const EasRunner& runner, const RolloutRequest& request) {
  EasCall view = rollout_call({.channel = request.channel, .action = RolloutAction::view});
  auto before = read_rollout(read_or_throw(runner, view));
  if (!before) throw kit::environment_error("cannot read the rollout state of channel " + request.channel + ": " + before.problem + "; nothing changed",
                                            "run `" + shell_line({"eas"}, view) + "` by hand and check its output");
  return plan_rollout(request, *before.value);
}

RolloutState execute_rollout(const EasRunner& runner, const RolloutRequest& request, const RolloutPlan& plan) {
  EasRun run = runner(plan.write);
  auto after = read_rollout(run.result.out);
  std::string check = "check the channel: eas channel:rollout " + request.channel + " --action view";
  if (!after) {
    if (!run.succeeded()) throw eas_failure(run, check + ", fix the cause and run again");
    throw kit::partial_error(call_name(plan.write) + " exited 0 but " + after.problem + ": the rollout was probably changed", check);
  }
  const RolloutState& s = *after.value;
  if (request.end) {
    if (s.has_rollout) throw kit::partial_error("eas ended the rollout on channel " + request.channel + " but it still has one", check);
  } else if (!s.has_rollout || !s.current || s.current->percent != request.percent) {
    throw kit::partial_error("eas changed the rollout on channel " + request.channel + " but it now sends " +
                                 (s.current ? std::to_string(s.current->percent) + " %" : std::string("nobody")) + ", not " +
                                 std::to_string(request.percent) + " %, to the new branch",
                             check);
  }
  return s;
}

}  // namespace ota
