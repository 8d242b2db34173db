#pragma once
// NestJS Terminus health bodies: {"status":"error","info":{...},"error":{"database":{"status":"down",
// "message":"..."}},"details":{...}}. Knowing the shape lets a failure name the broken indicator.
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

namespace health_gate {

struct TerminusFailure {
  std::string indicator;  // "database"
  std::string status;     // "down"
  std::string message;    // optional detail from the indicator
};

bool looks_like_terminus(const nlohmann::json& body);
std::vector<TerminusFailure> terminus_failures(const nlohmann::json& body);
// "database is down (connection refused); redis is down"
std::string describe_terminus_failures(const std::vector<TerminusFailure>& failures);

}  // namespace health_gate
