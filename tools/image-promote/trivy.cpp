#include "image-promote/trivy.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <sstream>

#include "kit/error.hpp"

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

bool ignored_by(const std::vector<IgnoreRule>& rules, const std::string& id, const std::string& today) {
  for (const auto& r : rules)
    if (r.id == id && (r.expires.empty() || today.empty() || today <= r.expires)) return true;
  return false;
}

}  // namespace

GateResult evaluate_report(const std::string& report_json, const GatePolicy& policy) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(report_json);
  } catch (const std::exception& e) {
    throw kit::usage_error(std::string("the Trivy report is not JSON: ") + e.what());
  }
  if (!j.is_object() || !j.contains("SchemaVersion"))
    throw kit::usage_error("the Trivy report has no SchemaVersion: produce it with `trivy image --format json`");
  if (j["SchemaVersion"] != 2)
    throw kit::usage_error("the Trivy report has SchemaVersion " + j["SchemaVersion"].dump() + "; only 2 is understood");
  GateResult result;
  result.artifact = j.value("ArtifactName", "");
  for (const auto& r : j.value("Results", nlohmann::json::array())) {
    std::string target = r.value("Target", "");
    if (!r.contains("Vulnerabilities") || !r["Vulnerabilities"].is_array()) continue;
    for (const auto& v : r["Vulnerabilities"]) {
      Finding f;
      f.id = v.value("VulnerabilityID", "");
      f.package = v.value("PkgName", "");
      f.installed = v.value("InstalledVersion", "");
      f.fixed = v.value("FixedVersion", "");
      f.title = v.value("Title", "");
      f.target = target;
      try {
        f.severity = parse_severity(v.value("Severity", "UNKNOWN"));
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
