#pragma once
// The plan for one health-gate run: everything decided from the options before any request.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "health-gate/checks.hpp"
#include "kit/duration.hpp"
#include "kit/http.hpp"

namespace health_gate {

struct Timing {
  kit::Millis interval{5'000};
  kit::Millis deadline{300'000};
  kit::Millis request_timeout{10'000};
  kit::Millis initial_delay{0};
  int successes = 1;
  std::optional<kit::Millis> observe;  // canary window after first turning healthy
  double min_success_rate = 0.95;
  std::optional<kit::Millis> max_p95_latency;
};

struct Hooks {
  std::vector<std::string> on_failure;  // argv, no shell
  std::vector<std::string> on_success;
  kit::Millis timeout{600'000};
};

struct Config {
  std::vector<std::string> urls;
  std::string method = "GET";
  kit::Headers headers;
  std::vector<std::string> secret_headers;  // names of headers whose value is secret: never sent to another origin
  bool follow_redirects = false;
  kit::TlsOptions tls;
  Checks checks;
  Timing timing;
  Hooks hooks;
  std::vector<std::string> warnings;  // accepted, but probably not what was meant (logged before the run)
};

}  // namespace health_gate
