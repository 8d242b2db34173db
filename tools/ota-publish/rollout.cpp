#include "ota-publish/rollout.hpp"

#include "kit/error.hpp"
#include "kit/log.hpp"
#include "kit/text.hpp"
#include "ota-publish/eas_output.hpp"
#include "ota-publish/rollback.hpp"
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
  // eas may describe the channel and still fail (exit 1 after its JSON): the state it printed
  // decides, and how it ended is said with it.
  std::string failed = run.succeeded() ? "" : " (" + eas_failure_line(run) + ")";
  if (request.end) {
    if (s.has_rollout)
      throw kit::partial_error("eas ended the rollout on channel " + request.channel + " but it still has one" + failed, check);
  } else if (!s.has_rollout || !s.current || s.current->percent != request.percent) {
    throw kit::partial_error("eas changed the rollout on channel " + request.channel + " but it now sends " +
                                 (s.current ? std::to_string(s.current->percent) + " %" : std::string("nobody")) + ", not " +
                                 std::to_string(request.percent) + " %, to the new branch" + failed,
                             check);
  }
  if (!run.succeeded())
    kit::log::warn(eas_failure_line(run) + " after describing channel " + request.channel + " as asked (verified from its output)");
  return s;
}

EasCall group_rollout_call(const GroupRolloutRequest& request) {
  return request.end ? revert_update_rollout_call(request.group, request.message) : update_edit_call(request.group, request.percent);
}

GroupRolloutResult execute_group_rollout(const EasRunner& runner, const GroupRolloutRequest& request) {
  GroupRolloutResult result;
  EasCall write = group_rollout_call(request);
  EasRun run = runner(write);
  auto read = read_updates(run.result.out);
  std::string check = "check the group: eas update:view " + request.group;
  if (!read) {
    if (!run.succeeded()) throw eas_failure(run, check + ", fix the cause and run again");
    throw kit::partial_error(call_name(write) + " exited 0 but " + read.problem + ": the rollout was probably changed", check);
  }
  // eas may print the updates it wrote and fail afterwards: said here, what changed is checked below.
  if (!run.succeeded()) kit::log::warn(eas_failure_line(run) + " after printing the updates it wrote; checking what changed");
  result.updates = std::move(*read.value);
  const Update& first = result.updates.front();
  result.branch = first.branch;
  result.runtime_version = first.runtime_version;
  if (request.end) result.new_group = first.group;
  for (const auto& [what, name] : {std::pair<const char*, const std::string&>{"branch name", result.branch},
                                   {"runtime version", result.runtime_version}})
    if (std::string problem = name_problem(what, name); !problem.empty() || kit::valid_utf8(name) != name)
      throw kit::partial_error(call_name(write) + " changed the rollout but described it with a " +
                                   (problem.empty() ? std::string(what) + " that is not valid UTF-8" : problem),
                               check);
  EasCall list = update_list_call(result.branch, result.runtime_version, kHistoryLimit);
  auto groups = read_update_list([&] {
    EasRun r = runner(list);
    return r.succeeded() ? r.result.out : std::string();
  }());
  if (!groups)
    throw kit::partial_error(call_name(write) + " changed the rollout of group " + request.group + " but the branch could not be read back: " +
                                 groups.problem,
                             check);
  const GroupSummary* mine = nullptr;
  for (const auto& g : *groups.value)
    if (g.group == request.group) mine = &g;
  if (request.end) {
    if (mine) throw kit::partial_error("eas reverted the rollout of group " + request.group + " but the group is still on branch " + result.branch, check);
    if (groups.value->empty() || groups.value->front().group != result.new_group)
      throw kit::partial_error("eas reverted the rollout of group " + request.group + " and republished group " + result.new_group +
                                   ", but branch " + result.branch + " now serves " +
                                   (groups.value->empty() ? std::string("nothing") : "group " + groups.value->front().group),
                               "look at eas update:list --branch " + result.branch);
    return result;
  }
  if (!mine) throw kit::partial_error("eas changed the rollout of group " + request.group + " but the group is not on branch " + result.branch, check);
  result.percent = mine->rollout_percentage;
  bool complete = request.percent == 100 && (!mine->rollout_percentage || *mine->rollout_percentage == 100);
  if (!complete && mine->rollout_percentage != request.percent)
    throw kit::partial_error("eas changed the rollout of group " + request.group + " but it now reaches " +
                                 (mine->rollout_percentage ? std::to_string(*mine->rollout_percentage) + " %" : std::string("everyone")) +
                                 ", not " + std::to_string(request.percent) + " %",
                             check);
  return result;
}

}  // namespace ota
