#include "ota-publish/eas_call.hpp"

#include <cctype>

#include "ota-publish/untrusted_text.hpp"

namespace ota {
namespace {

std::string flag(const char* name, const std::string& value) { return std::string("--") + name + "=" + value; }

void finish(EasCall& c) {
  c.args.push_back("--non-interactive");
  c.args.push_back("--json");
}

}  // namespace

EasCall publish_call(const PublishArgs& a) {
  EasCall c{{"update", flag("channel", a.channel), flag("message", a.message), flag("platform", std::string(platform_name(a.platform)))},
            Effect::write,
            "publish an update to channel " + a.channel};
  if (a.environment) c.args.push_back(flag("environment", *a.environment));
  if (a.rollout_percentage) c.args.push_back(flag("rollout-percentage", std::to_string(*a.rollout_percentage)));
  if (a.input_dir) {
    c.args.push_back("--skip-bundler");
    c.args.push_back(flag("input-dir", *a.input_dir));
  }
  finish(c);
  return c;
}

EasCall channel_view_call(const std::string& channel) {
  // The channel is a positional argument; name_problem() keeps it from starting with '-'.
  EasCall c{{"channel:view", channel}, Effect::read, "read channel " + channel};
  finish(c);
  return c;
}

EasCall update_list_call(const std::string& branch, const std::string& runtime_version, int limit) {
  EasCall c{{"update:list", flag("branch", branch), flag("runtime-version", runtime_version), flag("limit", std::to_string(limit))},
            Effect::read,
            "list the update groups of branch " + branch + " for runtime " + runtime_version};
  finish(c);
  return c;
}

EasCall republish_call(const std::string& group, const std::string& destination_channel, const std::string& message,
                       Platform platform) {
  // Non-interactively eas accepts only --group as the source ("Only --group can be used in
  // non-interactive mode"); --destination-channel puts the copy on the branch the channel serves.
  EasCall c{{"update:republish", flag("group", group), flag("destination-channel", destination_channel), flag("message", message),
             flag("platform", std::string(platform_name(platform)))},
            Effect::write,
            "republish group " + group + " to channel " + destination_channel};
  finish(c);
  return c;
}

EasCall roll_back_to_embedded_call(const std::string& channel, const std::string& runtime_version,
                                   const std::string& message, Platform platform) {
  EasCall c{{"update:roll-back-to-embedded", flag("channel", channel), flag("runtime-version", runtime_version),
             flag("message", message), flag("platform", std::string(platform_name(platform)))},
            Effect::write,
            "roll channel " + channel + " back to the embedded update (runtime " + runtime_version + ")"};
  finish(c);
  return c;
}

std::string_view rollout_action_name(RolloutAction a) {
  switch (a) {
    case RolloutAction::create: return "create";
    case RolloutAction::edit: return "edit";
    case RolloutAction::end: return "end";
    case RolloutAction::view: break;
  }
  return "view";
}

std::string_view rollout_outcome_name(RolloutOutcome o) {
  return o == RolloutOutcome::revert ? "revert" : "republish-and-revert";
}

std::optional<RolloutOutcome> parse_rollout_outcome(std::string_view text) {
  if (text == "revert") return RolloutOutcome::revert;
  if (text == "republish-and-revert") return RolloutOutcome::republish_and_revert;
  return std::nullopt;
}

EasCall rollout_call(const RolloutArgs& a) {
  EasCall c{{"channel:rollout", a.channel, flag("action", std::string(rollout_action_name(a.action)))},
            a.action == RolloutAction::view ? Effect::read : Effect::write,
            std::string(rollout_action_name(a.action)) + " the rollout on channel " + a.channel};
  if (a.percent) c.args.push_back(flag("percent", std::to_string(*a.percent)));
  if (a.outcome) c.args.push_back(flag("outcome", std::string(rollout_outcome_name(*a.outcome))));
  if (a.branch) c.args.push_back(flag("branch", *a.branch));
  if (a.runtime_version) c.args.push_back(flag("runtime-version", *a.runtime_version));
  finish(c);
  return c;
}

EasCall update_edit_call(const std::string& group, int rollout_percentage) {
  EasCall c{{"update:edit", group, flag("rollout-percentage", std::to_string(rollout_percentage))},
            Effect::write,
            "set the rollout of group " + group + " to " + std::to_string(rollout_percentage) + " %"};
  finish(c);
  return c;
}

EasCall revert_update_rollout_call(const std::string& group, const std::string& message) {
  EasCall c{{"update:revert-update-rollout", flag("group", group), flag("message", message)},
            Effect::write,
            "revert the rollout of group " + group};
  finish(c);
  return c;
}

std::string shell_line(const std::vector<std::string>& program, const EasCall& call) {
  auto quote = [](const std::string& word) {
    bool plain = !word.empty();
    for (char c : word)
      if (!(std::isalnum(static_cast<unsigned char>(c)) || std::string_view("-_./=:@%+,").find(c) != std::string_view::npos)) plain = false;
    if (plain) return word;
    std::string out = "'";
    for (char c : word) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
  };
  std::string line;
  for (const auto& w : program) line += (line.empty() ? "" : " ") + quote(w);
  for (const auto& w : call.args) line += " " + quote(w);
  return line;
}

std::string name_problem(std::string_view what, std::string_view name) {
  if (name.empty()) return std::string(what) + " is empty";
  if (name.front() == '-') return std::string(what) + " '" + shown(name, 80) + "' starts with '-'";
  if (name.size() > 255) return std::string(what) + " is longer than 255 characters";
  for (unsigned char c : name)
    if (c < 0x21 || c == 0x7F) return std::string(what) + " '" + shown(name, 80) + "' contains a space or control character";
  return {};
}

}  // namespace ota
