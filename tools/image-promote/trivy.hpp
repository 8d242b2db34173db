#pragma once
// The scan gate: reads a Trivy JSON report (SchemaVersion 2) and decides whether findings at or
// above the threshold remain after --ignore-unfixed and the .trivyignore file; and whether the
// report is of the image being promoted at all.
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

// A digest a report names for the image it scanned, and the field it came from.
struct ReportDigest {
  std::string digest;
  std::string field;  // "ArtifactName", "Metadata.RepoDigests", "Metadata.ImageID"
};

struct GateResult {
  std::string artifact;
  std::vector<ReportDigest> image_digests;  // what ties the report to an image (may be empty)
  int duplicates = 0;  // findings listed again under another Result, counted once
  std::vector<Finding> blocking;
  std::vector<Finding> ignored;  // at or above the threshold but ignored (unfixed or listed)
  std::map<Severity, int> counts;  // every finding by severity
  int total = 0;
  bool blocked() const { return !blocking.empty(); }
};

// `fail_on` is a list like {"HIGH","CRITICAL"}: the lowest listed severity is the threshold.
Severity threshold_of(const std::vector<std::string>& fail_on);
// Throws kit::Error(usage) when the report is not a Trivy JSON report. A finding is one
// (VulnerabilityID, PkgName, InstalledVersion): Trivy lists the same package again under each
// Result (target) that contains it, and those repeats count once.
GateResult evaluate_report(const std::string& report_json, const GatePolicy& policy);

// Whether a report is of the image being promoted: `image` holds its digest, its platform
// manifests' and its config digests (Trivy's ImageID is the config digest). `matched`: at least
// one named digest is the image's (the others are in `unmatched`); `foreign`: digests are named
// and none is; `unchecked`: the report names no digest.
struct ImageTie {
  enum Kind { unchecked, matched, foreign } kind = unchecked;
  std::vector<ReportDigest> matched_digests;
  std::vector<ReportDigest> unmatched;
};
ImageTie tie_report_to_image(const std::vector<ReportDigest>& named, const std::vector<std::string>& image);

}  // namespace image_promote
