#pragma once
// Rolling a channel back, non-interactively and verified:
//   read   eas channel:view C            -> the branch C serves and its newest group
//          eas update:list --branch B --runtime-version RV   -> current group and the ones before it
//   plan   (pure) refuse, or republish the chosen earlier group / roll back to the embedded update
//   write  eas update:republish --group G --destination-channel C   |   eas update:roll-back-to-embedded
//   verify read both again: C still serves B, and B's newest group for RV is the one just published.
#include <optional>
#include <string>
#include <vector>

#include "ota-publish/eas_call.hpp"
#include "ota-publish/eas_runner.hpp"
#include "ota-publish/eas_types.hpp"

namespace ota {

enum class RollbackTarget { previous, group, embedded };

struct RollbackRequest {
  std::string channel;
  RollbackTarget target = RollbackTarget::previous;
  std::string to_group;                        // RollbackTarget::group
  std::optional<std::string> runtime_version;  // default: the runtime of the channel's newest group
  std::optional<std::string> expect_current;   // refuse unless the channel serves this group
  std::optional<std::string> message;
  Platform platform = Platform::all;
};

// What the channel serves, as read from EAS.
struct ServedState {
  Channel channel;
  std::string branch;
  std::string runtime_version;
  std::vector<GroupSummary> history;  // newest first, on `branch` for `runtime_version`
};

struct RollbackPlan {
  std::optional<std::string> refusal;  // set: nothing is done (exit 1), with `hint`
  std::string hint;
  std::string channel;
  std::string branch;
  std::string runtime_version;
  std::optional<GroupSummary> current;
  std::optional<GroupSummary> target;  // empty for the embedded update
  RollbackTarget kind = RollbackTarget::previous;
  EasCall write;
  std::vector<EasCall> reads;  // the reads the plan was made from (shown by --dry-run)
  std::string note;            // why the target is not simply the group before the live one
};

// What an earlier `ota-publish rollback` of `channel` did, read from the live group's message
// ("Roll back C to X (was Y)", or "... to the embedded update (was Y)"): `to` is X (empty for the
// embedded update), `from` is Y; both empty when the message is not one of ours.
struct EarlierRollback {
  std::string to;
  std::string from;
};
EarlierRollback earlier_rollback(const std::string& channel, const std::string& message);

constexpr int kHistoryLimit = 50;  // eas update:list caps a page at 50

ServedState read_served(const EasRunner& runner, const std::string& channel, const std::optional<std::string>& runtime_version,
                        std::vector<EasCall>* reads = nullptr);
RollbackPlan plan_rollback(const RollbackRequest& request, const ServedState& state);

struct RollbackResult {
  std::vector<Update> published;
  std::string new_group;
  ServedState after;
  std::string eas_failure;  // how eas's write failed although what it published is served (verified), else empty
};
// Runs plan.write and verifies, whatever eas's exit status: the channel read back decides. Throws
// kit::Error: exit 3 when eas failed and nothing changed (the channel still serves the group it
// served before), exit 4 when something may have been published but the channel does not serve
// what was intended (eas exited 0 without effect, a race, another branch).
RollbackResult execute_rollback(const EasRunner& runner, const RollbackPlan& plan);

}  // namespace ota
