#include "ota-publish/eas_output.hpp"

#include <cctype>
#include <nlohmann/json.hpp>
#include <optional>

#include "ota-publish/untrusted_text.hpp"

namespace ota {
namespace {

using nlohmann::json;

// nlohmann's parser recurses per nesting level: spans deeper than this are refused before it sees them.
constexpr int kMaxDepth = 64;
constexpr int kMaxCandidates = 64;

enum class Span { complete, unterminated, too_deep, invalid };

// From `start` (a '{' or '['), the end of the JSON value by bracket matching outside strings.
Span match_brackets(std::string_view s, size_t start, size_t& end) {
  int depth = 0;
  bool in_string = false, escaped = false;
  for (size_t i = start; i < s.size(); ++i) {
    char c = s[i];
    if (in_string) {
      // JSON strings hold no raw line break: the text is not JSON (and need not be scanned to its end).
      if (c == '\n') return Span::invalid;
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    else if (c == '{' || c == '[') {
      if (++depth > kMaxDepth) return Span::too_deep;
    } else if (c == '}' || c == ']') {
      if (--depth == 0) {
        end = i + 1;
        return Span::complete;
      }
    }
  }
  return Span::unterminated;
}

int hex4(std::string_view s, size_t at) {
  if (at + 4 > s.size()) return -1;
  int v = 0;
  for (size_t k = at; k < at + 4; ++k) {
    char c = s[k];
    int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}

// Node's JSON.stringify writes a lone UTF-16 surrogate as "\udcff" (valid JSON text); nlohmann
// refuses it, and one odd character in any update message would make a whole channel unreadable.
// Each lone surrogate escape becomes U+FFFD; pairs and everything else stay as they are.
std::string without_lone_surrogates(std::string_view s) {
  if (s.find("\\u") == std::string_view::npos) return std::string(s);
  std::string out;
  out.reserve(s.size());
  bool in_string = false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (!in_string) {
      in_string = c == '"';
      out += c;
      continue;
    }
    if (c == '"') in_string = false;
    if (c != '\\' || i + 1 >= s.size()) {
      out += c;
      continue;
    }
    int v = s[i + 1] == 'u' ? hex4(s, i + 2) : -1;
    if (v >= 0xD800 && v <= 0xDBFF && i + 11 < s.size() && s[i + 6] == '\\' && s[i + 7] == 'u' && hex4(s, i + 8) >= 0xDC00 &&
        hex4(s, i + 8) <= 0xDFFF) {
      out.append(s.substr(i, 12));  // a valid pair
      i += 11;
    } else if (v >= 0xD800 && v <= 0xDFFF) {
      out += "\\uFFFD";
      i += 5;
    } else {
      out.append(s.substr(i, 2));  // any other escape, kept whole so "\\\\u" is not misread
      i += 1;
    }
  }
  return out;
}

std::string describe(std::string_view out) {
  size_t first = out.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return out.empty() ? "nothing on stdout" : "only blank lines on stdout";
  return std::to_string(out.size()) + " bytes on stdout starting with \"" + shown(out.substr(first), 120) + "\"";
}

// Tries every JSON document that starts a line, in order, and returns the first `convert` accepts.
template <class T, class Convert>
Read<T> find_document(std::string_view out, const char* expected, Convert convert) {
  Read<T> read;
  std::string last_problem;
  int candidates = 0;
  for (size_t pos = 0; pos < out.size() && candidates < kMaxCandidates;) {
    size_t line_end = out.find('\n', pos);
    if (line_end == std::string_view::npos) line_end = out.size();
    size_t first = out.find_first_not_of(" \t\r", pos);
    if (first < line_end && (out[first] == '{' || out[first] == '[')) {
      ++candidates;
      size_t end = 0;
      Span span = match_brackets(out, first, end);
      if (span == Span::invalid) {
        last_problem = "text that starts like JSON but is not valid JSON";
      } else if (span == Span::too_deep) {
        last_problem = "a JSON document nested deeper than " + std::to_string(kMaxDepth) + " levels";
      } else if (span == Span::unterminated) {
        last_problem = "a JSON document that ends early (partial output)";
      } else {
        json doc = json::parse(without_lone_surrogates(out.substr(first, end - first)), nullptr, false);
        if (doc.is_discarded()) {
          last_problem = "text that starts like JSON but is not valid JSON";
        } else if (auto value = convert(doc)) {
          read.value = std::move(*value);
          return read;
        } else {
          last_problem = std::string("JSON that is not ") + expected;
        }
      }
    }
    pos = line_end + 1;
  }
  read.problem = "eas printed no " + std::string(expected) + " (" + (last_problem.empty() ? "" : "found " + last_problem + "; ") +
                 describe(out) + ")";
  return read;
}

std::string str(const json& o, const char* key) {
  auto it = o.find(key);
  return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
}
bool boolean(const json& o, const char* key) {
  auto it = o.find(key);
  return it != o.end() && it->is_boolean() && it->get<bool>();
}
std::optional<int> integer(const json& o, const char* key) {
  auto it = o.find(key);
  if (it == o.end() || !it->is_number()) return std::nullopt;
  double d = it->get<double>();
  if (!(d >= -1e9 && d <= 1e9)) return std::nullopt;
  return static_cast<int>(d);
}
// "runtimeVersion": "1.0.0" (eas's JSON infos) or "runtime": {"version": "1.0.0"} (raw updates).
std::string runtime_of(const json& o) {
  std::string v = str(o, "runtimeVersion");
  if (v.empty()) {
    auto it = o.find("runtime");
    if (it != o.end() && it->is_object()) v = str(*it, "version");
  }
  return v;
}
std::string name_of(const json& o, const char* key) {
  auto it = o.find(key);
  if (it == o.end()) return {};
  if (it->is_string()) return it->get<std::string>();
  if (it->is_object()) return str(*it, "name");
  return {};
}

std::optional<Update> update_of(const json& o) {
  if (!o.is_object()) return std::nullopt;
  Update u;
  u.id = str(o, "id");
  u.group = str(o, "group");
  u.platform = str(o, "platform");
  u.runtime_version = runtime_of(o);
  u.branch = name_of(o, "branch");
  u.message = str(o, "message");
  u.manifest_permalink = str(o, "manifestPermalink");
  u.created_at = str(o, "createdAt");
  u.git_commit = str(o, "gitCommitHash");
  u.roll_back_to_embedded = boolean(o, "isRollBackToEmbedded");
  u.rollout_percentage = integer(o, "rolloutPercentage");
  if (!is_uuid(u.id) || !is_uuid(u.group) || u.platform.empty()) return std::nullopt;
  return u;
}

std::optional<GroupSummary> summary_of(const json& o) {
  if (!o.is_object()) return std::nullopt;
  GroupSummary g;
  g.group = str(o, "group");
  g.runtime_version = runtime_of(o);
  g.message = str(o, "message");
  g.platforms = str(o, "platforms");
  if (g.platforms.empty()) g.platforms = str(o, "platform");
  g.branch = name_of(o, "branch");
  g.roll_back_to_embedded = boolean(o, "isRollBackToEmbedded");
  g.rollout_percentage = integer(o, "rolloutPercentage");
  if (!is_uuid(g.group)) return std::nullopt;
  return g;
}

std::optional<RolloutInfo> rollout_info_of(const json& o) {
  if (!o.is_object()) return std::nullopt;
  RolloutInfo r;
  r.default_branch = name_of(o, "defaultBranch");
  r.rolled_out_branch = name_of(o, "rolledOutBranch");
  auto p = integer(o, "percentRolledOut");
  if (!p) return std::nullopt;
  r.percent = *p;
  r.runtime_version = str(o, "runtimeVersion");
  return r;
}

}  // namespace

std::string_view platform_name(Platform p) {
  switch (p) {
    case Platform::ios: return "ios";
    case Platform::android: return "android";
    case Platform::all: break;
  }
  return "all";
}

std::optional<Platform> parse_platform(std::string_view text) {
  if (text == "all") return Platform::all;
  if (text == "ios") return Platform::ios;
  if (text == "android") return Platform::android;
  return std::nullopt;
}

bool is_uuid(std::string_view t) {
  if (t.size() != 36) return false;
  for (size_t i = 0; i < t.size(); ++i) {
    char c = t[i];
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? c != '-' : !std::isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

Read<std::vector<Update>> read_updates(std::string_view out) {
  return find_document<std::vector<Update>>(out, "list of published updates", [](const json& doc) -> std::optional<std::vector<Update>> {
    if (!doc.is_array() || doc.empty()) return std::nullopt;
    std::vector<Update> updates;
    for (const auto& item : doc) {
      auto u = update_of(item);
      if (!u) return std::nullopt;
      updates.push_back(std::move(*u));
    }
    return updates;
  });
}

Read<Channel> read_channel(std::string_view out) {
  return find_document<Channel>(out, "channel description", [](const json& doc) -> std::optional<Channel> {
    if (!doc.is_object()) return std::nullopt;
    auto page = doc.find("currentPage");
    if (page == doc.end() || !page->is_object()) return std::nullopt;
    Channel c;
    c.id = str(*page, "id");
    c.name = str(*page, "name");
    c.paused = boolean(*page, "isPaused");
    if (c.name.empty()) return std::nullopt;
    // branchMapping is itself JSON in a string: {"version":0,"data":[{"branchId":...}, ...]}.
    std::string mapping = str(*page, "branchMapping");
    if (!mapping.empty()) {
      json m = json::parse(mapping, nullptr, false);
      if (!m.is_discarded() && m.is_object() && m.contains("data") && m["data"].is_array())
        for (const auto& d : m["data"])
          if (d.is_object()) c.mapped_branch_ids.push_back(str(d, "branchId"));
    }
    auto branches = page->find("updateBranches");
    if (branches != page->end() && branches->is_array()) {
      for (const auto& b : *branches) {
        if (!b.is_object()) continue;
        BranchOnChannel branch{str(b, "id"), str(b, "name"), std::nullopt};
        auto groups = b.find("updateGroups");
        if (groups != b.end() && groups->is_array() && !groups->empty()) {
          const json& first = (*groups)[0];
          const json& update = first.is_array() ? (first.empty() ? first : first[0]) : first;
          if (auto g = summary_of(update)) {
            std::string platforms;
            if (first.is_array())
              for (const auto& u : first) platforms += (platforms.empty() ? "" : ", ") + str(u, "platform");
            if (!platforms.empty()) g->platforms = platforms;
            if (g->branch.empty()) g->branch = branch.name;
            branch.latest = std::move(g);
          }
        }
        c.branches.push_back(std::move(branch));
      }
    }
    return c;
  });
}

Read<std::vector<GroupSummary>> read_update_list(std::string_view out) {
  return find_document<std::vector<GroupSummary>>(out, "list of update groups", [](const json& doc) -> std::optional<std::vector<GroupSummary>> {
    if (!doc.is_object()) return std::nullopt;
    auto page = doc.find("currentPage");
    if (page == doc.end() || !page->is_array()) return std::nullopt;
    std::vector<GroupSummary> groups;
    for (const auto& item : *page) {
      auto g = summary_of(item);
      if (!g) return std::nullopt;
      if (g->branch.empty()) g->branch = str(doc, "name");
      groups.push_back(std::move(*g));
    }
    return groups;
  });
}

Read<RolloutState> read_rollout(std::string_view out) {
  return find_document<RolloutState>(out, "rollout description", [](const json& doc) -> std::optional<RolloutState> {
    if (!doc.is_object()) return std::nullopt;
    auto has = doc.find("hasRollout");
    if (has == doc.end() || !has->is_boolean()) return std::nullopt;
    RolloutState r;
    r.has_rollout = has->get<bool>();
    if (auto it = doc.find("originalRolloutInfo"); it != doc.end()) r.original = rollout_info_of(*it);
    if (auto it = doc.find("currentRolloutInfo"); it != doc.end()) r.current = rollout_info_of(*it);
    return r;
  });
}

std::string eas_error_line(std::string_view err) {
  std::string_view chosen, last;
  size_t pos = 0;
  while (pos < err.size()) {
    size_t end = err.find('\n', pos);
    if (end == std::string_view::npos) end = err.size();
    std::string_view line = err.substr(pos, end - pos);
    size_t first = line.find_first_not_of(" \t\r");
    if (first != std::string_view::npos) {
      line = line.substr(first);
      last = line;
      if (line.rfind("Error", 0) == 0 || line.rfind("\xE2\x9C\x96", 0) == 0 || line.rfind("CombinedError", 0) == 0) chosen = line;
    }
    pos = end + 1;
  }
  return shown(chosen.empty() ? last : chosen, 400);
}

}  // namespace ota
