#include "ota-publish/ref_plan.hpp"

#include <algorithm>
#include <cctype>
#include <vector>

namespace ota {

std::string_view action_name(PipelineAction a) {
  switch (a) {
    case PipelineAction::build: return "build";
    case PipelineAction::update: return "update";
    case PipelineAction::release: return "release";
    case PipelineAction::none: break;
  }
  return "none";
}

bool glob_match(std::string_view p, std::string_view t) {
  // The pattern as an automaton run over the text once ('#' is one or more digits, so a greedy
  // '#' cannot decide alone: "v#5" must match "v15"). at[i]: before pattern item i; in_digits[i]:
  // inside the '#' at i after at least one digit. O(pattern x text), no recursion, no backtracking.
  const size_t m = p.size();
  std::vector<char> at(m + 1, 0), in_digits(m + 1, 0), next_at(m + 1), next_in(m + 1);
  auto close = [&](std::vector<char>& a, const std::vector<char>& in) {
    for (size_t i = 0; i < m; ++i)
      if (in[i] || (a[i] && p[i] == '*')) a[i + 1] = 1;  // '*' may match nothing; a '#' may end
  };
  at[0] = 1;
  close(at, in_digits);
  for (char ch : t) {
    bool digit = std::isdigit(static_cast<unsigned char>(ch));
    std::fill(next_at.begin(), next_at.end(), 0);
    std::fill(next_in.begin(), next_in.end(), 0);
    for (size_t i = 0; i < m; ++i) {
      if (in_digits[i] && digit) next_in[i] = 1;
      if (!at[i]) continue;
      if (p[i] == '*') next_at[i] = 1;
      else if (p[i] == '#') next_in[i] = next_in[i] || digit;
      else if (p[i] == '?' || p[i] == ch) next_at[i + 1] = 1;
    }
    close(next_at, next_in);
    at.swap(next_at);
    in_digits.swap(next_in);
  }
  return at[m];
}

std::optional<RefRule> parse_rule(std::string_view text, std::string& problem) {
  RefRule r;
  r.text = std::string(text);
  size_t eq = text.find('=');
  size_t colon = text.find(':');
  if (eq == std::string_view::npos || colon == std::string_view::npos || colon > eq) {
    problem = "a rule is KIND:PATTERN=ACTION[:TARGET], e.g. branch:staging=update:preview";
    return std::nullopt;
  }
  std::string_view kind = text.substr(0, colon), pattern = text.substr(colon + 1, eq - colon - 1), rhs = text.substr(eq + 1);
  if (kind == "branch") r.kind = RefKind::branch;
  else if (kind == "tag") r.kind = RefKind::tag;
  else {
    problem = "the kind must be branch or tag";
    return std::nullopt;
  }
  if (pattern.empty()) {
    problem = "the pattern is empty";
    return std::nullopt;
  }
  r.pattern = std::string(pattern);
  size_t c2 = rhs.find(':');
  std::string_view action = rhs.substr(0, c2);
  if (action == "build") r.action = PipelineAction::build;
  else if (action == "update") r.action = PipelineAction::update;
  else if (action == "release") r.action = PipelineAction::release;
  else if (action == "none") r.action = PipelineAction::none;
  else {
    problem = "the action must be build, update, release or none";
    return std::nullopt;
  }
  if (c2 != std::string_view::npos) r.target = std::string(rhs.substr(c2 + 1));
  if (r.action != PipelineAction::none && r.target.empty()) {
    problem = std::string("action ") + std::string(action) + " needs a target (" +
              (r.action == PipelineAction::update ? "a channel" : "a build profile") + "), e.g. " + std::string(action) + ":" +
              (r.action == PipelineAction::update ? "preview" : "production");
    return std::nullopt;
  }
  for (unsigned char c : r.target)
    if (c < 0x21 || c == 0x7F) {
      problem = "the target contains a space or control character";
      return std::nullopt;
    }
  return r;
}

const std::vector<RefRule>& default_rules() {
  static const std::vector<RefRule> rules = [] {
    std::vector<RefRule> out;
    std::string problem;
    for (const char* text : {"branch:dev=build:development", "branch:staging=update:preview", "tag:v#.#.#=release:production"})
      out.push_back(*parse_rule(text, problem));
    return out;
  }();
  return rules;
}

RefDecision decide(const std::vector<RefRule>& rules, std::string_view ref) {
  RefDecision d;
  std::vector<std::pair<RefKind, std::string_view>> candidates;
  if (ref.rfind("refs/heads/", 0) == 0) candidates.emplace_back(RefKind::branch, ref.substr(11));
  else if (ref.rfind("refs/tags/", 0) == 0) candidates.emplace_back(RefKind::tag, ref.substr(10));
  else if (ref.rfind("refs/", 0) == 0) candidates.emplace_back(RefKind::other, ref);  // refs/pull/N/merge: no rule
  else {
    candidates.emplace_back(RefKind::branch, ref);
    candidates.emplace_back(RefKind::tag, ref);
  }
  d.kind = candidates.front().first;
  d.name = std::string(candidates.front().second);
  for (const auto& [kind, name] : candidates) {
    for (const auto& rule : rules) {
      if (rule.kind != kind || !glob_match(rule.pattern, name)) continue;
      d.kind = kind;
      d.name = std::string(name);
      d.action = rule.action;
      d.rule = rule.text;
      if (rule.action == PipelineAction::update) d.channel = rule.target;
      else if (rule.action != PipelineAction::none) d.profile = rule.target;
      if (kind == RefKind::tag) {
        std::string_view v = name;
        if (!v.empty() && (v[0] == 'v' || v[0] == 'V') && v.size() > 1 && std::isdigit(static_cast<unsigned char>(v[1]))) v.remove_prefix(1);
        d.version = std::string(v);
      }
      return d;
    }
  }
  return d;
}

}  // namespace ota
