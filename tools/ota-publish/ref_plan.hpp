#pragma once
// plan --ref: what the mobile pipeline does for a git ref, from a configurable list of rules.
//   branch:dev=build:development        a push to dev builds the development profile
//   branch:staging=update:preview       a push to staging publishes an OTA update on channel preview
//   tag:v#.#.#=release:production       a vX.Y.Z tag builds production and submits it to the stores
// Patterns: '*' any run of characters, '?' one character, '#' one or more digits. The first rule
// that matches wins; no match means nothing to do.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ota {

enum class PipelineAction { none, build, update, release };
std::string_view action_name(PipelineAction a);

enum class RefKind { branch, tag, other };

struct RefRule {
  RefKind kind = RefKind::branch;
  std::string pattern;
  PipelineAction action = PipelineAction::none;
  std::string target;  // build profile (build, release) or channel (update)
  std::string text;    // as written
};

// Parses "branch:dev=build:development"; returns the problem in `problem` when it is not a rule.
std::optional<RefRule> parse_rule(std::string_view text, std::string& problem);
const std::vector<RefRule>& default_rules();

bool glob_match(std::string_view pattern, std::string_view text);

struct RefDecision {
  PipelineAction action = PipelineAction::none;
  std::string profile;  // build / release
  std::string channel;  // update
  RefKind kind = RefKind::other;
  std::string name;     // the branch or tag name
  std::string version;  // for a tag vX.Y.Z: X.Y.Z
  std::string rule;     // the rule that matched, as written; empty when none
};

// `ref`: refs/heads/NAME, refs/tags/NAME, or a bare NAME (tried as a branch, then as a tag).
RefDecision decide(const std::vector<RefRule>& rules, std::string_view ref);

}  // namespace ota
