#include "health-gate/verdict.hpp"

#include <map>
#include <cstdio>

#include "kit/secrets.hpp"
#include "kit/text.hpp"

namespace health_gate {
namespace {

std::string percent(double rate) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.1f", rate * 100);
  std::string s = buf;
  if (s.size() > 2 && s.substr(s.size() - 2) == ".0") s.resize(s.size() - 2);
  return s + "%";
}

// The failure a message should lead with: the last one, unless it is a timeout only because
// --timeout ran out (its request was cut short), which says nothing about the service; the answer
// before it does ("answered in 300ms, slower than 100ms", not "timed out 1 time"). Null when
// nothing failed.
const ProbeResult* headline_failure(const GateRun& run, bool probe_phase_only) {
  const ProbeResult* fallback = nullptr;
  for (auto p = run.probes.rbegin(); p != run.probes.rend(); ++p) {
    if ((probe_phase_only && p->phase != Phase::probe) || p->result.healthy()) continue;
    bool cut_timeout = p->cut_by_deadline && p->result.failure == Failure::transport &&
                       p->result.transport == kit::TransportError::timeout;
    if (!cut_timeout) return &p->result;
    if (!fallback) fallback = &p->result;
  }
  return fallback;
}

// Most probes of a failed run failed in the same way; the dominant failure is the headline.
std::string probe_phase_reason(const Config& config, const GateRun& run) {
  std::vector<const ProbeResult*> failed;
  for (const auto& p : run.probes)
    if (p.phase == Phase::probe && !p.result.healthy()) failed.push_back(&p.result);

  if (run.probes.empty()) return "no probe was made before the " + kit::format_duration(config.timing.deadline) + " deadline";
  if (failed.empty()) {
    return "only " + std::to_string(run.rounds) + " healthy round(s) before the deadline, " +
           std::to_string(config.timing.successes) + " in a row required";
  }
  const ProbeResult& last = *headline_failure(run, true);
  std::string window = kit::format_duration(run.elapsed);
  size_t total = 0;
  for (const auto& p : run.probes)
    if (p.phase == Phase::probe) ++total;

  if (last.failure == Failure::transport) {
    size_t same = 0;
    for (auto* f : failed)
      if (f->transport == last.transport) ++same;
    std::string what = kit::transport_error_name(last.transport);
    return what + " " + std::to_string(same) + (same == 1 ? " time" : " times") + " in " + window + " (" + last.url + ")";
  }
  if (last.failure == Failure::version) {
    std::map<std::string, size_t> versions;
    size_t answers = 0, expected = 0;
    for (const auto& p : run.probes)
      if (p.phase == Phase::probe && p.result.version) {
        ++answers;
        if (p.result.version_matched) ++expected;
        else ++versions[*p.result.version];
      }
    size_t others = versions.size();
    return last.detail + " (" + std::to_string(answers - expected) + " of " + std::to_string(answers) + " answers were " +
           (others > 1 ? "other versions" : "the old version") + ")";
  }
  return last.detail + " (" + std::to_string(failed.size()) + " of " + std::to_string(total) + " probes failed in " + window + ")";
}

std::string hint_for(const Config& config, const GateRun& run) {
  const ProbeResult* last = headline_failure(run, false);
  if (!last) return "raise --timeout or lower --successes if the service needs longer to settle";
  switch (last->failure) {
    case Failure::transport:
      if (last->transport == kit::TransportError::dns) return "check the host name in --url; the deploy may not have created its DNS record";
      if (last->transport == kit::TransportError::tls)
        return "the certificate was not accepted: pass the issuing CA with --cacert (or SSL_CERT_FILE); never --insecure in production";
      if (last->transport == kit::TransportError::timeout) return "the service did not answer in --request-timeout; check its logs and load";
      return "the service is not listening: check that the new containers started and their logs";
    case Failure::version:
      return "the new version is not serving: check that the rollout finished and old instances were replaced";
    case Failure::latency:
      return "the service answers but too slowly: check its load and dependencies, or raise --max-latency";
    default:
      if (!last->failing_indicators.empty()) return "check the failing dependency: " + kit::escape_controls(kit::redacted_excerpt(last->failing_indicators.front(), 60));
      return "check the service logs for the failing health check";
  }
}

}  // namespace

Verdict decide(const Config& config, const GateRun& run) {
  Verdict v;
  v.healthy = run.healthy();
  std::vector<kit::Millis> latencies;
  for (const auto& p : run.probes) {
    if (p.result.transport == kit::TransportError::none) latencies.push_back(p.result.latency);
    v.last_status = p.result.status;
    v.url = p.result.url;
  }
  if (!v.healthy)
    if (const ProbeResult* failure = headline_failure(run, !run.turned_healthy)) {
      v.last_status = failure->status;
      v.url = failure->url;
    }
  v.p50 = percentile(latencies, 0.50);
  v.p95 = percentile(latencies, 0.95);

  if (v.healthy) {
    v.reason = "healthy after " + std::to_string(run.rounds_to_healthy) + (run.rounds_to_healthy == 1 ? " round" : " rounds") + " in " +
               kit::format_duration(run.healthy_at.value_or(run.elapsed));
    if (config.timing.observe)
      v.reason += "; " + percent(run.observed_success_rate) + " of probes healthy during " +
                  kit::format_duration(*config.timing.observe) + " of observation";
    return v;
  }
  if (!run.turned_healthy) {
    v.reason = probe_phase_reason(config, run);
    v.hint = hint_for(config, run);
    return v;
  }
  // Turned healthy, then failed the observation window.
  std::string first_failure;
  size_t failed = 0, total = 0;
  for (const auto& p : run.probes)
    if (p.phase == Phase::observe) {
      ++total;
      if (!p.result.healthy()) {
        ++failed;
        if (first_failure.empty()) first_failure = p.result.detail;
      }
    }
  if (run.observed_success_rate + 1e-9 < config.timing.min_success_rate || !config.timing.max_p95_latency) {
    v.reason = "success rate " + percent(run.observed_success_rate) + " < " + percent(config.timing.min_success_rate) +
               " during " + kit::format_duration(*config.timing.observe) + " of observation (" + std::to_string(failed) +
               " of " + std::to_string(total) + " probes failed: " + first_failure + ")";
    v.hint = "the service turned healthy and then degraded: " + hint_for(config, run);
  } else {
    v.reason = "p95 latency " + kit::format_duration(run.observed_p95.value_or(kit::Millis(0))) + " > " +
               kit::format_duration(*config.timing.max_p95_latency) + " during " +
               kit::format_duration(*config.timing.observe) + " of observation";
    v.hint = "the service answers but too slowly under real traffic: check its load and dependencies";
  }
  return v;
}

}  // namespace health_gate
