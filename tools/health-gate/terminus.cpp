#include "health-gate/terminus.hpp"

#include <nlohmann/json.hpp>

#include "kit/secrets.hpp"
#include "kit/untrusted_json.hpp"
#include "kit/text.hpp"

namespace health_gate {

bool looks_like_terminus(const nlohmann::json& body) {
  return body.is_object() && body.contains("status") && body["status"].is_string() &&
         (body.contains("details") || body.contains("info") || body.contains("error"));
}

std::vector<TerminusFailure> terminus_failures(const nlohmann::json& body) {
  std::vector<TerminusFailure> out;
  if (!looks_like_terminus(body)) return out;
  // "error" lists the failing indicators; older Terminus versions only fill "details".
  const nlohmann::json* source = nullptr;
  if (body.contains("error") && body["error"].is_object() && !body["error"].empty()) source = &body["error"];
  else if (body.contains("details") && body["details"].is_object()) source = &body["details"];
  if (!source) return out;
  for (const auto& [name, indicator] : source->items()) {
    if (!indicator.is_object()) continue;
    // Not value("status", ""): it throws when "status" is not a string (found by health_body_fuzz),
    // an internal error instead of a verdict, and no rollback.
    std::string status = kit::json_string(indicator, "status");
    if (status == "up") continue;
    TerminusFailure f{name, status.empty() ? "failing" : status, ""};
    if (indicator.contains("message") && indicator["message"].is_string()) f.message = indicator["message"];
    else if (indicator.contains("error") && indicator["error"].is_string()) f.message = indicator["error"];
    out.push_back(f);
  }
  return out;
}

std::string describe_terminus_failures(const std::vector<TerminusFailure>& failures) {
  // Every part comes from the service: one line, cut on character boundaries, controls escaped
  // (a message may carry "\n::error::..." meant for the Actions runner).
  auto safe = [](const std::string& text, size_t max_chars) {
    std::string one_line = text;
    for (char& c : one_line)
      if (c == '\n' || c == '\r') c = ' ';
    return kit::escape_controls(kit::redacted_excerpt(one_line, max_chars));
  };
  std::string out;
  size_t shown = 0;
  for (const auto& f : failures) {
    if (shown == 5) {
      out += "; and " + std::to_string(failures.size() - shown) + " more";
      break;
    }
    if (!out.empty()) out += "; ";
    out += safe(f.indicator, 60) + " is " + safe(f.status, 30);
    if (!f.message.empty()) out += " (" + safe(f.message, 200) + ")";
    ++shown;
  }
  return out;
}

}  // namespace health_gate
