#include "ota-publish/rollback.hpp"

#include "kit/error.hpp"
#include "kit/log.hpp"
#include "kit/text.hpp"
#include "ota-publish/eas_output.hpp"
#include "ota-publish/untrusted_text.hpp"

namespace ota {
namespace {

const BranchOnChannel* served_branch(const Channel& c) {
  if (c.mapped_branch_ids.size() == 1)
    for (const auto& b : c.branches)
      if (b.id == c.mapped_branch_ids[0]) return &b;
  if (c.mapped_branch_ids.empty() && c.branches.size() == 1) return &c.branches[0];
  return nullptr;
}

std::string group_text(const GroupSummary& g) {
  if (g.roll_back_to_embedded) return g.group + " (the embedded update)";
  // eas update:list already quotes the message: "fix login" (5 minutes ago by ci-robot).
  bool quoted = !g.message.empty() && g.message.front() == '"';
  return g.group + " (" + (quoted ? shown(g.message, 120) : "\"" + shown(g.message, 80) + "\"") + ")";
}

// eas ended by itself with an error status: no request of its is still in flight. A run stopped by
// our deadline or a signal may have left one that EAS still carries out.
bool failed_by_itself(const kit::ProcessResult& r) {
  return r.started && !r.timed_out && r.signal == 0 && r.interrupted == 0 && r.exit_code != 0;
}

// The write left the channel serving the group live before it. Nobody published in between (that
// would be a third group): the rollback did not take effect. When eas said it failed, the read-back
// confirms nothing changed (exit 3); when it claimed success, the group it named may still turn up
// somewhere, so a human looks (exit 4).
kit::Error no_effect(const RollbackPlan& plan, const EasRun& run, const std::string& reported) {
  const GroupSummary& was = *plan.current;
  std::string again = "ota-publish rollback --channel " + plan.channel + " --expect-current " + was.group;
  std::string serves = "channel " + plan.channel + " still serves group " + group_text(was) + ", the group live before the rollback";
  if (failed_by_itself(run.result))
    return kit::environment_error("the rollback did not take effect: " + eas_failure_line(run) + ", and " + serves + "; nothing changed",
                                  eas_failure_hint(run, "fix what eas reports, then run the rollback again: " + again));
  std::string said = run.succeeded() ? call_name(plan.write) + " exited 0" : eas_failure_line(run);
  return kit::partial_error(said + " and reported group " + reported + ", but " + serves + " (runtime " + plan.runtime_version +
                                "): the rollback did not take effect",
                            "check whether group " + reported + " exists (eas update:view " + reported +
                                "); if it does not, run the rollback again: " + again);
}

}  // namespace

ServedState read_served(const EasRunner& runner, const std::string& channel, const std::optional<std::string>& runtime_version,
                        std::vector<EasCall>* reads) {
  ServedState state;
  EasCall view = channel_view_call(channel);
  if (reads) reads->push_back(view);
  auto read = read_channel(read_or_throw(
      runner, view,
      "check the channel name (`eas channel:list --non-interactive` lists the project's channels; names are case-sensitive), "
      "EXPO_TOKEN and --project-dir (the Expo project whose channels these are)"));
  if (!read) throw kit::environment_error("cannot tell what channel " + channel + " serves: " + read.problem + "; nothing changed",
                                          "run `" + shell_line({"eas"}, view) + "` by hand and check its output");
  state.channel = std::move(*read.value);
  if (state.channel.mapped_branch_ids.size() > 1) return state;  // a rollout: plan_rollback refuses
  const BranchOnChannel* branch = served_branch(state.channel);
  if (!branch) return state;
  state.branch = branch->name;
  state.runtime_version = runtime_version ? *runtime_version : branch->latest ? branch->latest->runtime_version : "";
  // Names read from EAS go back on eas command lines and into messages: plain text only.
  for (const auto& [what, name] : {std::pair<const char*, const std::string&>{"branch name", state.branch},
                                   {"runtime version", state.runtime_version}}) {
    std::string problem = name.empty() ? "" : name_problem(what, name);
    if (problem.empty() && kit::valid_utf8(name) != name) problem = std::string(what) + " is not valid UTF-8";
    if (!problem.empty())
      throw kit::environment_error("eas described channel " + channel + " with a " + problem + "; nothing changed",
                                   "check the channel with eas channel:view " + channel);
  }
  if (state.runtime_version.empty()) return state;
  EasCall list = update_list_call(state.branch, state.runtime_version, kHistoryLimit);
  if (reads) reads->push_back(list);
  auto groups = read_update_list(read_or_throw(runner, list));
  if (!groups) throw kit::environment_error("cannot list the update groups of branch " + state.branch + ": " + groups.problem + "; nothing changed",
                                            "run `" + shell_line({"eas"}, list) + "` by hand and check its output");
  state.history = std::move(*groups.value);
  return state;
}

EarlierRollback earlier_rollback(const std::string& channel, const std::string& message) {
  std::string head = "Roll back " + channel + " to ";
  size_t at = message.find(head);
  if (at == std::string::npos) return {};
  size_t to = at + head.size();
  size_t was = message.find(" (was ", to);
  if (was == std::string::npos || was - to > 60) return {};
  std::string from = message.substr(was + 6, 36);
  if (!is_uuid(from) || message.compare(was + 6 + 36, 1, ")") != 0) return {};
  std::string target = message.substr(to, was - to);
  return {is_uuid(target) ? target : std::string(), from};
}

RollbackPlan plan_rollback(const RollbackRequest& request, const ServedState& state) {
  RollbackPlan plan;
  plan.channel = request.channel;
  plan.kind = request.target;
  plan.branch = state.branch;
  plan.runtime_version = state.runtime_version;
  auto refuse = [&](std::string why, std::string hint) {
    plan.refusal = std::move(why);
    plan.hint = std::move(hint);
    return plan;
  };
  const std::string& c = request.channel;
  if (state.channel.mapped_branch_ids.size() > 1)
    return refuse("channel " + c + " is in a rollout between two branches; a rollback now would hit only part of the users",
                  "end the rollout first: ota-publish rollout --channel " + c + " --end --outcome revert");
  if (state.branch.empty())
    return refuse("channel " + c + " serves no branch", "point it at a branch first: eas channel:edit " + c + " --branch BRANCH");
  if (state.runtime_version.empty())
    return refuse("branch " + shown(state.branch, 100) + " (served by channel " + c + ") has no updates: nothing to roll back",
                  "builds on this channel run their embedded update already");
  if (state.history.empty())
    return refuse("branch " + shown(state.branch, 100) + " has no update for runtime version " + shown(state.runtime_version, 60) + ": nothing to roll back",
                  "check --runtime-version (eas update:list --branch " + state.branch + ")");
  plan.current = state.history.front();
  const GroupSummary& current = *plan.current;
  if (request.expect_current && *request.expect_current != current.group)
    return refuse("channel " + c + " serves group " + group_text(current) + ", not the expected " + *request.expect_current +
                      ": someone published in between; nothing changed",
                  "look at what is live now (eas update:list --branch " + state.branch + ") and run the rollback again with the right --expect-current");
  std::string message;
  switch (request.target) {
    case RollbackTarget::previous: {
      // The live group may itself be a rollback (ours): the group before it is then the release
      // that was rolled back. Go back past that one instead of serving it again.
      size_t next = 1;
      EarlierRollback earlier = earlier_rollback(request.channel, current.message);
      // Past the group the earlier rollback went back to (it is what is live), else past the one it undid.
      for (const std::string& past : {earlier.to, earlier.from}) {
        if (past.empty() || next != 1) continue;
        for (size_t k = 1; k < state.history.size(); ++k)
          if (state.history[k].group == past) {
            next = k + 1;
            plan.note = "the live group " + current.group + " is an earlier rollback (from " + earlier.from + " to " +
                        (earlier.to.empty() ? std::string("the embedded update") : earlier.to) + "): going back past " + past;
            break;
          }
      }
      if (!earlier.from.empty() && next == 1)
        return refuse("the live group " + current.group + " is an earlier rollback (from " + earlier.from +
                          "), but neither group it names is among the last " + std::to_string(kHistoryLimit) + " of branch " + state.branch +
                          ": the group before it may be the release that was rolled back",
                      "name the group to go back to: --to-group GROUP (see eas update:list --branch " + state.branch + ")");
      if (state.history.size() <= next)
        return refuse("there is no group before " + (next == 1 ? current.group : state.history[next - 1].group) + " on branch " +
                          state.branch + " for runtime " + state.runtime_version + " to go back to" +
                          (plan.note.empty() ? "" : " (" + plan.note + ")"),
                      "roll back to the update embedded in the build instead: --to-embedded (or pick a group: --to-group)");
      plan.target = state.history[next];
      break;
    }
    case RollbackTarget::group: {
      if (request.to_group == current.group)
        return refuse("channel " + c + " already serves group " + current.group + "; nothing to do", "");
      for (const auto& g : state.history)
        if (g.group == request.to_group) plan.target = g;
      if (!plan.target)
        return refuse("group " + request.to_group + " is not among the last " + std::to_string(kHistoryLimit) + " update groups of branch " +
                          state.branch + " for runtime " + shown(state.runtime_version, 60),
                      "a group of another runtime version would not reach the builds that run " + state.runtime_version +
                          "; pick one from eas update:list --branch " + state.branch + " --runtime-version " + state.runtime_version);
      break;
    }
    case RollbackTarget::embedded:
      if (current.roll_back_to_embedded)
        return refuse("channel " + c + " already serves the embedded update for runtime " + state.runtime_version + "; nothing to do", "");
      break;
  }
  // The marker is how a later rollback knows this group is a rollback (earlier_rollback): kept before
  // a message of the user's own (first, so neither the user's words nor a cut by EAS can hide it),
  // or a second rollback would serve the broken release again.
  std::string marker = "Roll back " + c + " to " + (plan.target ? plan.target->group : std::string("the embedded update")) +
                       " (was " + current.group + ")";
  message = request.message ? marker + ": " + *request.message : marker;
  plan.write = plan.target ? republish_call(plan.target->group, c, message, request.platform)
                           : roll_back_to_embedded_call(c, state.runtime_version, message, request.platform);
  return plan;
}

RollbackResult execute_rollback(const EasRunner& runner, const RollbackPlan& plan) {
  RollbackResult result;
  EasRun run = runner(plan.write);
  std::string still = "channel " + plan.channel + " should still serve " + (plan.current ? plan.current->group : std::string("what it served"));
  auto read = read_updates(run.result.out);
  if (!read) {
    if (!run.succeeded()) throw eas_failure(run, still + ": check with eas update:list --branch " + plan.branch + ", fix the cause and run the rollback again");
    throw kit::partial_error(call_name(plan.write) + " exited 0 but " + read.problem + ": the rollback was probably published, but what it published is unknown",
                             "check what channel " + plan.channel + " serves now: eas update:list --branch " + plan.branch);
  }
  result.published = std::move(*read.value);
  for (const auto& u : result.published)
    if (u.runtime_version == plan.runtime_version) result.new_group = u.group;
  if (result.new_group.empty()) result.new_group = result.published.front().group;

  // eas may print what it published and fail afterwards, or fail without effect: what the channel
  // serves decides, and how eas ended is part of whatever is said.
  std::string failed = run.succeeded() ? "" : "; " + eas_failure_line(run);
  std::string published = "published group " + result.new_group + " (" + plan.write.purpose + ")";
  try {
    result.after = read_served(runner, plan.channel, plan.runtime_version);
  } catch (const kit::Error& e) {
    throw kit::partial_error(published + " but could not read the channel back to verify it: " + e.what() + failed,
                             "check what channel " + plan.channel + " serves now: eas update:list --branch " + plan.branch);
  }
  const ServedState& after = result.after;
  if (after.branch != plan.branch)
    throw kit::partial_error(published + " on branch " + shown(plan.branch, 100) + ", but channel " + plan.channel + " now serves " +
                                 (after.branch.empty() ? std::string("no single branch") : "branch " + shown(after.branch, 100)) +
                                 ": someone changed the channel" + failed,
                             "decide which branch " + plan.channel + " must serve: eas channel:edit " + plan.channel + " --branch " + plan.branch);
  const GroupSummary* newest = after.history.empty() ? nullptr : &after.history.front();
  if (newest && plan.current && newest->group == plan.current->group && result.new_group != plan.current->group)
    throw no_effect(plan, run, result.new_group);
  if (!newest || newest->group != result.new_group)
    throw kit::partial_error(published + ", but branch " + plan.branch + " now serves " +
                                 (newest ? "group " + newest->group : std::string("nothing")) + " for runtime " + plan.runtime_version +
                                 ": someone published in between" + failed,
                             "look at eas update:list --branch " + plan.branch + " and roll back again with --expect-current");
  bool embedded = plan.kind == RollbackTarget::embedded;
  if (newest->roll_back_to_embedded != embedded)
    throw kit::partial_error(published + ", but it is " + (embedded ? "not" : "") + " a roll back to the embedded update" + failed,
                             "check eas update:view " + result.new_group);
  if (!run.succeeded()) {
    result.eas_failure = call_name(plan.write) + " failed (" + kit::how_it_ended(run.result) + ")";
    kit::log::warn(eas_failure_line(run) + " after publishing group " + result.new_group + ", which channel " + plan.channel +
                   " serves (verified)");
  }
  return result;
}

}  // namespace ota
