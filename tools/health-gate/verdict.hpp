#pragma once
// Turns a run into the one line a tired person reads at 3 a.m., plus the step outputs.
#include <string>

#include "health-gate/config.hpp"
#include "health-gate/gate.hpp"

namespace health_gate {

struct Verdict {
  bool healthy = false;
  std::string reason;  // "1.4.1 answered, expected 1.5.0 (8 of 10 answers were the old version)"
  std::string hint;    // what to do next
  // The probe the verdict is about: when unhealthy, the failure its reason leads with (a rollback
  // hook must not be told the healthy URL of several); when healthy, the last probe.
  long last_status = 0;
  std::string url;
  kit::Millis p50{0}, p95{0};
};

Verdict decide(const Config& config, const GateRun& run);

}  // namespace health_gate
