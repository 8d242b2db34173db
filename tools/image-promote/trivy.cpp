#include "image-promote/trivy.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <tuple>
#include <nlohmann/json.hpp>
#include <sstream>

#include "kit/error.hpp"
#include "kit/text.hpp"
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

namespace {

// YYYY-MM-DD naming a real day: the expiry is compared as text with today's date, so anything
// else ("never", a letter O for a zero) would keep the entry forever, as Trivy refuses it.
bool valid_date(const std::string& d) {
  if (d.size() != 10 || d[4] != '-' || d[7] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (!std::isdigit(static_cast<unsigned char>(d[i]))) return false;
  int year = std::stoi(d.substr(0, 4)), month = std::stoi(d.substr(5, 2)), day = std::stoi(d.substr(8, 2));
  static const int days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1 || day > days[month - 1]) return false;
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return !(month == 2 && day == 29 && !leap);
}

}  // namespace

std::vector<IgnoreRule> parse_trivyignore(const std::string& text) {
  std::vector<IgnoreRule> rules;
  std::stringstream in(text);
  int number = 0;
  for (std::string line; std::getline(in, line);) {
    ++number;
    if (auto hash = line.find('#'); hash != std::string::npos) line.erase(hash);
    std::stringstream words(line);
    IgnoreRule r;
    words >> r.id;
    if (r.id.empty()) continue;
    for (std::string w; words >> w;)
      if (w.rfind("exp:", 0) == 0) {
        r.expires = w.substr(4);
        if (!valid_date(r.expires))
          throw kit::usage_error("--ignore-file line " + std::to_string(number) + ": '" + kit::quote_value(w, 40) +
                                     "' is not an expiry date (exp:YYYY-MM-DD)",
                                 "write the date as exp:2026-12-31, or drop exp: for an entry that never expires");
      }
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
  // A report whose structure is not Trivy's fails closed: a list that is an object, an entry that
  // is not an object or a severity Trivy never writes would otherwise hide what it holds.
  auto malformed = [](const std::string& what) {
    return kit::usage_error("the Trivy report is malformed: " + what + "; nothing was judged",
                            "produce it with `trivy image --format json` and do not edit it");
  };
  auto list = [&](const nlohmann::json& object, const char* key, const std::string& where) -> const nlohmann::json* {
    auto it = object.find(key);
    if (it == object.end() || it->is_null()) return nullptr;
    if (!it->is_array()) throw malformed(where + key + " is not a list");
    return &*it;
  };
  // A finding is judged once, at the highest severity any of its repeats gives it.
  using Key = std::tuple<std::string, std::string, std::string>;
  std::map<Key, size_t> index;
  std::vector<Finding> findings;
  const nlohmann::json* results = list(j, "Results", "");
  for (size_t ri = 0; results && ri < results->size(); ++ri) {
    const auto& r = (*results)[ri];
    std::string at = "Results[" + std::to_string(ri) + "]";
    if (!r.is_object()) throw malformed(at + " is not an object");
    std::string target = text_field(r, "Target");
    const nlohmann::json* vulns = list(r, "Vulnerabilities", at + ".");
    for (size_t vi = 0; vulns && vi < vulns->size(); ++vi) {
      const auto& v = (*vulns)[vi];
      std::string vat = at + ".Vulnerabilities[" + std::to_string(vi) + "]";
      if (!v.is_object()) throw malformed(vat + " is not an object");
      Finding f;
      f.id = text_field(v, "VulnerabilityID");
      f.package = text_field(v, "PkgName");
      f.installed = text_field(v, "InstalledVersion");
      f.fixed = text_field(v, "FixedVersion");
      f.title = text_field(v, "Title");
      f.target = target;
      auto severity = v.find("Severity");
      if (severity == v.end()) {
        f.severity = Severity::unknown;
      } else {
        std::string text = severity->is_string() ? kit::trim(severity->get<std::string>()) : "";
        try {
          f.severity = parse_severity(text);
        } catch (const kit::Error&) {
          throw malformed(vat + " (" + kit::quote_value(f.id, 40) + ") has the severity " + kit::json_excerpt(*severity, 40) +
                          ", not one of UNKNOWN, LOW, MEDIUM, HIGH, CRITICAL");
        }
      }
      auto [it, fresh] = index.emplace(Key{f.id, f.package, f.installed}, findings.size());
      if (fresh) {
        findings.push_back(std::move(f));
        continue;
      }
      ++result.duplicates;
      Finding& kept = findings[it->second];
      // A fix known for any repeat is known for the package (so --ignore-unfixed does not hinge on the order).
      std::string fixed = kept.fixed.empty() ? f.fixed : kept.fixed;
      if (f.severity > kept.severity) kept = std::move(f);
      kept.fixed = fixed;
    }
  }
  for (const auto& f : findings) {
    ++result.total;
    ++result.counts[f.severity];
    if (f.severity < policy.threshold) continue;
    if ((policy.ignore_unfixed && f.fixed.empty()) || ignored_by(policy.ignore, f.id, policy.today))
      result.ignored.push_back(f);
    else
      result.blocking.push_back(f);
  }
  std::stable_sort(result.blocking.begin(), result.blocking.end(),
                   [](const Finding& a, const Finding& b) { return a.severity > b.severity; });
  return result;
}

}  // namespace image_promote
