#pragma once
// What EAS knows about updates, branches and channels, as eas-cli 24.8 prints it with --json.
// Typed values: the rest of the tool never looks at eas's JSON.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ota {

enum class Platform { all, ios, android };
std::string_view platform_name(Platform p);
std::optional<Platform> parse_platform(std::string_view text);

// One platform's update of a group, as `eas update --json`, `update:republish --json` and
// `update:roll-back-to-embedded --json` print it (republish prints eas's raw objects:
// runtime{version} and branch{name} instead of runtimeVersion and branch; both are read).
struct Update {
  std::string id;
  std::string group;
  std::string platform;
  std::string runtime_version;
  std::string branch;
  std::string message;
  std::string manifest_permalink;
  std::string created_at;
  std::string git_commit;
  bool roll_back_to_embedded = false;
  std::optional<int> rollout_percentage;
};

// One update group as `update:list --json` and `channel:view --json` describe it.
struct GroupSummary {
  std::string group;
  std::string runtime_version;
  std::string message;
  std::string platforms;  // "android, ios"
  std::string branch;
  bool roll_back_to_embedded = false;
  std::optional<int> rollout_percentage;
};

struct BranchOnChannel {
  std::string id;
  std::string name;
  std::optional<GroupSummary> latest;  // the newest group on the branch, any runtime version
};

// `eas channel:view NAME --json`: the channel, the branches it maps to and each branch's newest group.
struct Channel {
  std::string id;
  std::string name;
  std::vector<std::string> mapped_branch_ids;  // from branchMapping, in order; two during a rollout
  std::vector<BranchOnChannel> branches;
  bool paused = false;
};

// `eas channel:rollout NAME --action ... --json`.
struct RolloutInfo {
  std::string default_branch;
  std::string rolled_out_branch;
  int percent = 0;
  std::string runtime_version;
};
struct RolloutState {
  bool has_rollout = false;
  std::optional<RolloutInfo> original;
  std::optional<RolloutInfo> current;
};

// EAS identifies update groups (and updates) by UUID; anything else is refused before it reaches
// an eas command line.
bool is_uuid(std::string_view text);

}  // namespace ota
