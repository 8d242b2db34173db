#pragma once
// The scan gate: reads a Trivy JSON report (SchemaVersion 2) and decides whether findings at or
// above the threshold remain after --ignore-unfixed and the .trivyignore file.
#include <map>
#include <string>
#include <vector>

namespace image_promote {

enum class Severity { unknown = 0, low, medium, high, critical };
Severity parse_severity(const std::string& text);  // throws usage error for unknown words
const char* severity_name(Severity s);

struct Finding {
  std::string id;  // VulnerabilityID
  std::string package;
  std::string installed;
  std::string fixed;  // "" when no fix exists
  Severity severity = Severity::unknown;
  std::string title;
  std::string target;  // Results[].Target
};

struct IgnoreRule {
  std::string id;
  std::string expires;  // YYYY-MM-DD or ""
};
// Parses a .trivyignore: one ID per line, '#' comments, optional `exp:YYYY-MM-DD`.
std::vector<IgnoreRule> parse_trivyignore(const std::string& text);

struct GatePolicy {
  Severity threshold = Severity::high;  // findings at or above block
  bool ignore_unfixed = false;
  std::vector<IgnoreRule> ignore;
  std::string today;  // YYYY-MM-DD, for expiring ignore rules
};

struct GateResult {
  std::string artifact;
  std::vector<Finding> blocking;
  std::vector<Finding> ignored;  // at or above the threshold but ignored (unfixed or listed)
  std::map<Severity, int> counts;  // every finding by severity
  int total = 0;
  bool blocked() const { return !blocking.empty(); }
};

// `fail_on` is a list like {"HIGH","CRITICAL"}: the lowest listed severity is the threshold.
Severity threshold_of(const std::vector<std::string>& fail_on);
// Throws kit::Error(usage) when the report is not a Trivy JSON report.
GateResult evaluate_report(const std::string& report_json, const GatePolicy& policy);

}  // namespace image_promote
