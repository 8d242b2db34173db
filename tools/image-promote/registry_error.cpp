#include "image-promote/registry_error.hpp"

#include <nlohmann/json.hpp>

namespace image_promote {

std::string RegistryFailure::describe() const {
  if (transport != kit::TransportError::none)
    return std::string(kit::transport_error_name(transport)) + (transport_message.empty() ? "" : ": " + transport_message);
  std::string out = "HTTP " + std::to_string(status);
  if (!code.empty() || !detail.empty()) out += " " + code + ": " + detail;
  return out;
}

RegistryFailure failure_of(RegistryStep step, const std::string& what, const std::string& registry,
                           const kit::HttpResponse& r) {
  RegistryFailure f;
  f.step = step;
  f.what = what;
  f.registry = registry;
  if (!r.ok()) {
    f.transport = r.error;
    f.transport_message = r.error_message;
    return f;
  }
  f.status = r.status;
  // The distribution spec's error body: {"errors":[{"code":..,"message":..}]}; anything else
  // (HTML from a proxy, nothing) leaves code and detail empty.
  auto j = nlohmann::json::parse(r.body, nullptr, false);
  if (j.is_object() && j.contains("errors") && j["errors"].is_array() && !j["errors"].empty() &&
      j["errors"][0].is_object()) {
    const auto& e = j["errors"][0];
    if (e.contains("code") && e["code"].is_string()) f.code = e["code"].get<std::string>();
    if (e.contains("message") && e["message"].is_string()) f.detail = e["message"].get<std::string>();
  }
  return f;
}

RegistryError::RegistryError(RegistryFailure failure, std::string hint)
    : kit::Error(kit::Exit::environment, failure.what + " on " + failure.registry + " failed: " + failure.describe(),
                 std::move(hint)),
      failure_(std::move(failure)) {}

}  // namespace image_promote
