#pragma once
// A channel rollout (eas channel:rollout): send N % of a channel's users to another branch, change
// N, or end it. Read first (--action view), then create or edit or end, then check the state eas
// printed after the change.
#include <optional>
#include <string>
#include <vector>

#include "ota-publish/eas_call.hpp"
#include "ota-publish/eas_runner.hpp"
#include "ota-publish/eas_types.hpp"

namespace ota {

struct RolloutRequest {
  std::string channel;
  bool end = false;
  int percent = 0;                             // when !end
  RolloutOutcome outcome = RolloutOutcome::revert;  // when end
  std::optional<std::string> branch;           // needed to create a rollout
  std::optional<std::string> runtime_version;  // needed to create a rollout
};

struct RolloutPlan {
  std::optional<std::string> refusal;  // set: nothing is done (exit 1)
  std::string hint;
  RolloutState before;
  EasCall view;
  EasCall write;
};

RolloutPlan plan_rollout(const RolloutRequest& request, const RolloutState& before);  // pure
RolloutPlan read_and_plan_rollout(const EasRunner& runner, const RolloutRequest& request);

// Throws kit::Error: exit 3 when eas failed (no change reported), exit 4 when the change did not
// leave the channel as asked.
RolloutState execute_rollout(const EasRunner& runner, const RolloutRequest& request, const RolloutPlan& plan);

// The rollout of one update group, published with --rollout-percentage.
struct GroupRolloutRequest {
  std::string group;
  bool end = false;  // revert: delete the group, republish the one it was rolled out over
  int percent = 0;   // when !end: the new share (eas only raises it)
  std::string message;
};
EasCall group_rollout_call(const GroupRolloutRequest& request);  // pure

struct GroupRolloutResult {
  std::vector<Update> updates;  // as eas printed them after the change
  std::string branch;
  std::string runtime_version;
  std::optional<int> percent;   // read back from the branch's history
  std::string new_group;        // end: the republished group
};
// Runs the change, then reads the branch's groups back: the group's share is the one asked for, or
// (end) the group is gone and the republished one is the newest. Throws kit::Error: 3 when eas
// failed (no change reported), 4 when the change did not leave the branch as asked.
GroupRolloutResult execute_group_rollout(const EasRunner& runner, const GroupRolloutRequest& request);

}  // namespace ota
