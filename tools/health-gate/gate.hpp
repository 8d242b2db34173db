#pragma once
// The probing loop: probe every URL each round until `successes` healthy rounds in a row, or the
// deadline; then the optional observation window. Returns every probe it made, for the verdict.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "health-gate/checks.hpp"
#include "health-gate/config.hpp"

namespace health_gate {

enum class Phase { probe, observe };

struct TimedProbe {
  ProbeResult result;
  Phase phase = Phase::probe;
  kit::Millis at{0};  // since the start of the run
  int round = 0;
  // Its request timeout was shortened to what was left of --timeout (or of the observation
  // window): a timeout of this probe says the run ended, not that the service stopped answering.
  bool cut_by_deadline = false;
};

struct GateRun {
  std::vector<TimedProbe> probes;
  bool turned_healthy = false;           // reached the required consecutive successes
  std::optional<kit::Millis> healthy_at;  // when it did
  bool observe_passed = true;
  double observed_success_rate = 1.0;
  std::optional<kit::Millis> observed_p95;
  kit::Millis elapsed{0};
  int rounds = 0;             // every round, observation included
  int rounds_to_healthy = 0;  // the probe rounds it took to turn healthy
  bool observed = false;      // the observation window ran (it turned healthy, with --observe)
  bool healthy() const { return turned_healthy && observe_passed; }
};

// Sends one request; separated so the loop can be driven by tests without a network.
using ProbeFn = std::function<ProbeResult(const std::string& url, kit::Millis request_timeout)>;

ProbeFn http_prober(const Config& config);
GateRun run_gate(const Config& config, const ProbeFn& probe);

kit::Millis percentile(std::vector<kit::Millis> values, double p);

}  // namespace health_gate
