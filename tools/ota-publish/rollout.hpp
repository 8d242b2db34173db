#pragma once
// A channel rollout (eas channel:rollout): send N % of a channel's users to another branch, change
// N, or end it. Read first (--action view), then create or edit or end, then check the state eas
// printed after the change.
#include <optional>
#include <string>

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

}  // namespace ota
