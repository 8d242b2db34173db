#include "image-promote/trivy.hpp"

#include <algorithm>
#include <cctype>
#include <set>
#include <tuple>
#include <nlohmann/json.hpp>
#include <sstream>

#include "kit/error.hpp"
#include "kit/untrusted_json.hpp"

namespace image_promote {

Severity parse_severity(const std::string& text) {
  std::string t = text;
  std::transform(t.begin(), t.end(), t.begin(), ::toupper);
  if (t == "UNKNOWN") return Severity::unknown;
  if (t == "LOW") return Severity::low;
  if (t == "MEDIUM") return Severity::medium;
  if (t == "HIGH") return Severity::high;
  if (t == "CRITICAL") return Severity::critical;
  throw kit::usage_error("unknown severity '" + text + "' (one of UNKNOWN, LOW, MEDIUM, HIGH, CRITICAL)");
}

const char* severity_name(Severity s) {
  switch (s) {
    case Severity::low: return "LOW";
    case Severity::medium: return "MEDIUM";
    case Severity::high: return "HIGH";
    case Severity::critical: return "CRITICAL";
    default: return "UNKNOWN";
  }
}

Severity threshold_of(const std::vector<std::string>& fail_on) {
  std::vector<Severity> all;
  for (const auto& item : fail_on) {
    std::stringstream in(item);
    for (std::string word; std::getline(in, word, ',');) {
      word.erase(0, word.find_first_not_of(' '));
      word.erase(word.find_last_not_of(' ') + 1);
      if (!word.empty()) all.push_back(parse_severity(word));
    }
  }
  if (all.empty()) throw kit::usage_error("--fail-on needs at least one severity, e.g. HIGH,CRITICAL");
  return *std::min_element(all.begin(), all.end());
}

std::vector<IgnoreRule> parse_trivyignore(const std::string& text) {
  std::vector<IgnoreRule> rules;
  std::stringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (auto hash = line.find('#'); hash != std::string::npos) line.erase(hash);
    std::stringstream words(line);
    IgnoreRule r;
    words >> r.id;
    if (r.id.empty()) continue;
    for (std::string w; words >> w;)
      if (w.rfind("exp:", 0) == 0) r.expires = w.substr(4);
    rules.push_back(r);
  }
  return rules;
}

namespace {

// A string field of a report object, "" when absent or of another type: the report is a file from
// the workspace, and nlohmann's value() throws a type_error (not a kit::Error) on a wrong type.
std::string text_field(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return "";
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

bool ignored_by(const std::vector<IgnoreRule>& rules, const std::string& id, const std::string& today) {
  for (const auto& r : rules)
    if (r.id == id && (r.expires.empty() || today.empty() || today <= r.expires)) return true;
  return false;
}

// "sha256:<64 hex>" at the end of `text` (after '@' in a reference, or the whole of an ImageID).
std::string trailing_digest(const std::string& text) {
  auto at = text.rfind('@');
  std::string d = at == std::string::npos ? text : text.substr(at + 1);
  if (d.size() != 71 || d.rfind("sha256:", 0) != 0) return "";
  for (size_t i = 7; i < d.size(); ++i)
    if (!std::isxdigit(static_cast<unsigned char>(d[i])) || std::isupper(static_cast<unsigned char>(d[i]))) return "";
  return d;
}

std::vector<ReportDigest> named_digests(const nlohmann::json& j) {
  std::vector<ReportDigest> out;
  auto add = [&](const std::string& text, const char* field, bool reference) {
    // An ArtifactName or RepoDigest names a digest only after '@'; an ImageID is one.
    if (reference && text.find('@') == std::string::npos) return;
    std::string d = trailing_digest(text);
    if (d.empty()) return;
    for (const auto& o : out)
      if (o.digest == d && o.field == field) return;
    out.push_back({d, field});
  };
  if (j.contains("ArtifactName") && j["ArtifactName"].is_string()) add(j["ArtifactName"], "ArtifactName", true);
  if (j.contains("Metadata") && j["Metadata"].is_object()) {
    const auto& m = j["Metadata"];
    if (m.contains("RepoDigests") && m["RepoDigests"].is_array())
      for (const auto& r : m["RepoDigests"])
        if (r.is_string()) add(r, "Metadata.RepoDigests", true);
    if (m.contains("ImageID") && m["ImageID"].is_string()) add(m["ImageID"], "Metadata.ImageID", false);
  }
  return out;
}

}  // namespace

ImageTie tie_report_to_image(const std::vector<ReportDigest>& named, const std::vector<std::string>& image) {
  ImageTie t;
  for (const auto& n : named)
    (std::find(image.begin(), image.end(), n.digest) != image.end() ? t.matched_digests : t.unmatched).push_back(n);
  t.kind = named.empty() ? ImageTie::unchecked : t.matched_digests.empty() ? ImageTie::foreign : ImageTie::matched;
  return t;
}

GateResult evaluate_report(const std::string& report_json, const GatePolicy& policy) {
  nlohmann::json j;
  // nlohmann's dump and destructor recurse per level: bound the nesting first (Trivy nests ~5).
  if (kit::json_depth(report_json, kit::kMaxJsonDepth + 1) > kit::kMaxJsonDepth)
    throw kit::usage_error("the Trivy report nests deeper than " + std::to_string(kit::kMaxJsonDepth) +
                           " levels: it is not a Trivy report (produce it with `trivy image --format json`)");
  try {
    j = nlohmann::json::parse(report_json);
  } catch (const std::exception& e) {
    throw kit::usage_error(std::string("the Trivy report is not JSON: ") + e.what());
  }
  if (!j.is_object() || !j.contains("SchemaVersion"))
    throw kit::usage_error("the Trivy report has no SchemaVersion: produce it with `trivy image --format json`");
  if (j["SchemaVersion"] != 2)
    throw kit::usage_error("the Trivy report has SchemaVersion " + kit::json_excerpt(j["SchemaVersion"], 40) + "; only 2 is understood");
  GateResult result;
  result.artifact = text_field(j, "ArtifactName");
  result.image_digests = named_digests(j);
  std::set<std::tuple<std::string, std::string, std::string>> seen;
  static const nlohmann::json kNone = nlohmann::json::array();
  auto results = j.find("Results");
  for (const auto& r : results != j.end() && results->is_array() ? *results : kNone) {
    if (!r.is_object()) continue;
    std::string target = text_field(r, "Target");
    if (!r.contains("Vulnerabilities") || !r["Vulnerabilities"].is_array()) continue;
    for (const auto& v : r["Vulnerabilities"]) {
      if (!v.is_object()) continue;
      Finding f;
      f.id = text_field(v, "VulnerabilityID");
      f.package = text_field(v, "PkgName");
      f.installed = text_field(v, "InstalledVersion");
      f.fixed = text_field(v, "FixedVersion");
      f.title = text_field(v, "Title");
      f.target = target;
      if (!seen.emplace(f.id, f.package, f.installed).second) {
        ++result.duplicates;
        continue;
      }
      try {
        f.severity = parse_severity(text_field(v, "Severity"));
      } catch (const kit::Error&) {
        f.severity = Severity::unknown;
      }
      ++result.total;
      ++result.counts[f.severity];
      if (f.severity < policy.threshold) continue;
      if ((policy.ignore_unfixed && f.fixed.empty()) || ignored_by(policy.ignore, f.id, policy.today))
        result.ignored.push_back(f);
      else
        result.blocking.push_back(f);
    }
  }
  std::stable_sort(result.blocking.begin(), result.blocking.end(),
                   [](const Finding& a, const Finding& b) { return a.severity > b.severity; });
  return result;
}

}  // namespace image_promote
