#pragma once
// The eas-cli 24.8 command lines this tool runs, built from typed requests (pure functions: the
// compatibility test feeds every shape they produce to the pinned eas-cli's own parser). Values
// are passed as --flag=value so a message or name starting with '-' can never read as a flag, and
// every call ends with --non-interactive --json. Secrets never appear here: EXPO_TOKEN travels in
// the child's environment.
#include <optional>
#include <string>
#include <vector>

#include "ota-publish/eas_types.hpp"

namespace ota {

enum class Effect { read, write };

struct EasCall {
  std::vector<std::string> args;  // eas's arguments, after the program
  Effect effect = Effect::read;
  std::string purpose;  // what it does, for logs and --dry-run: "read channel production"
};

struct PublishArgs {
  std::string channel;
  std::string message;
  Platform platform = Platform::all;
  std::optional<std::string> environment;
  std::optional<int> rollout_percentage;
  std::optional<std::string> input_dir;  // an `expo export` done earlier: --skip-bundler --input-dir
};
EasCall publish_call(const PublishArgs& a);

EasCall channel_view_call(const std::string& channel);
EasCall update_list_call(const std::string& branch, const std::string& runtime_version, int limit);
EasCall republish_call(const std::string& group, const std::string& destination_channel, const std::string& message,
                       Platform platform);
EasCall roll_back_to_embedded_call(const std::string& channel, const std::string& runtime_version,
                                   const std::string& message, Platform platform);

enum class RolloutAction { view, create, edit, end };
enum class RolloutOutcome { revert, republish_and_revert };
std::string_view rollout_action_name(RolloutAction a);
std::string_view rollout_outcome_name(RolloutOutcome o);
std::optional<RolloutOutcome> parse_rollout_outcome(std::string_view text);

struct RolloutArgs {
  std::string channel;
  RolloutAction action = RolloutAction::view;
  std::optional<int> percent;
  std::optional<RolloutOutcome> outcome;
  std::optional<std::string> branch;
  std::optional<std::string> runtime_version;
};
EasCall rollout_call(const RolloutArgs& a);

// A rollout of one update group (eas update --rollout-percentage): raise its share, or revert it
// (the group is deleted and the group it was rolled out over is republished).
EasCall update_edit_call(const std::string& group, int rollout_percentage);
EasCall revert_update_rollout_call(const std::string& group, const std::string& message);

// A command line as a POSIX shell would need it typed (single quotes where needed), for --dry-run.
std::string shell_line(const std::vector<std::string>& program, const EasCall& call);

// A channel or branch name given on our command line: refused (one line) when eas could misread it.
// Returns the problem, empty when the name is fine.
std::string name_problem(std::string_view what, std::string_view name);

}  // namespace ota
