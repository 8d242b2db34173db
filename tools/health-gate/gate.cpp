#include "health-gate/gate.hpp"

#include <algorithm>
#include <cmath>
#include <chrono>
#include <memory>
#include <thread>

#include "kit/log.hpp"
#include "kit/secrets.hpp"

namespace health_gate {

using Clock = std::chrono::steady_clock;

kit::Millis percentile(std::vector<kit::Millis> values, double p) {
  if (values.empty()) return kit::Millis(0);
  std::sort(values.begin(), values.end());
  // Nearest-rank: the smallest value with at least p of the samples at or below it.
  size_t rank = static_cast<size_t>(std::ceil(p * static_cast<double>(values.size())));
  return values[std::clamp<size_t>(rank, 1, values.size()) - 1];
}

ProbeFn http_prober(const Config& config) {
  auto client = std::make_shared<kit::HttpClient>();
  return [client, &config](const std::string& url, kit::Millis request_timeout) {
    kit::HttpRequest req;
    req.method = config.method;
    req.url = url;
    req.headers = config.headers;
    req.secret_headers = config.secret_headers;
    req.follow_redirects = config.follow_redirects;
    req.tls = config.tls;
    req.total_timeout = request_timeout;
    req.connect_timeout = std::min(request_timeout, kit::Millis(5'000));
    req.max_body = 1 << 20;
    return judge(url, client->send(req), config.checks);
  };
}

GateRun run_gate(const Config& config, const ProbeFn& probe) {
  GateRun run;
  const auto start = Clock::now();
  const auto deadline = start + config.timing.deadline;
  auto since_start = [&] { return std::chrono::duration_cast<kit::Millis>(Clock::now() - start); };
  auto sleep_until = [&](Clock::time_point t) {
    if (t > Clock::now()) std::this_thread::sleep_until(std::min(t, deadline));
  };

  if (config.timing.initial_delay.count() > 0) {
    kit::log::info("waiting " + kit::format_duration(config.timing.initial_delay) + " before the first probe");
    sleep_until(start + config.timing.initial_delay);
  }

  // One round probes every URL; the round is healthy when all of them are. No request runs past
  // `end` (the deadline, or the end of the observation window): N slow URLs would otherwise hold
  // the round N request timeouts long.
  auto round = [&](Phase phase, Clock::time_point end) {
    ++run.rounds;
    bool all_ok = true;
    for (const auto& url : config.urls) {
      auto remaining = std::chrono::duration_cast<kit::Millis>(end - Clock::now());
      if (remaining.count() <= 0) return false;
      kit::Millis timeout = std::min(config.timing.request_timeout, remaining);
      TimedProbe tp{probe(url, std::max(timeout, kit::Millis(1))), phase, since_start(), run.rounds,
                    timeout < config.timing.request_timeout};
      if (tp.result.healthy()) {
        kit::log::debug("probe " + std::to_string(run.rounds) + " " + kit::redact_url(url) + ": healthy in " +
                        kit::format_duration(tp.result.latency) + " over HTTP/" + tp.result.http_version);
      } else {
        kit::log::info("probe " + std::to_string(run.rounds) + ": " + tp.result.detail);
        all_ok = false;
      }
      run.probes.push_back(std::move(tp));
    }
    return all_ok;
  };

  int streak = 0;
  while (Clock::now() < deadline) {
    auto round_start = Clock::now();
    streak = round(Phase::probe, deadline) ? streak + 1 : 0;
    if (streak >= config.timing.successes) {
      run.turned_healthy = true;
      run.healthy_at = since_start();
      run.rounds_to_healthy = run.rounds;
      break;
    }
    if (Clock::now() + config.timing.interval >= deadline) break;
    sleep_until(round_start + config.timing.interval);
  }

  if (run.turned_healthy && config.timing.observe) {
    kit::log::info("healthy; observing for " + kit::format_duration(*config.timing.observe));
    auto observe_end = Clock::now() + *config.timing.observe;
    // A request started before the window's end gets its full --request-timeout; the next URLs of
    // that round only what is left of it: the window ends at most one request timeout late.
    auto observe_limit = observe_end + config.timing.request_timeout;
    size_t first = run.probes.size();
    run.observed = true;
    while (Clock::now() < observe_end) {
      auto round_start = Clock::now();
      round(Phase::observe, observe_limit);
      auto next = round_start + config.timing.interval;
      if (next >= observe_end) break;
      std::this_thread::sleep_until(next);
    }
    std::vector<kit::Millis> latencies;
    size_t ok = 0, total = 0;
    for (size_t i = first; i < run.probes.size(); ++i) {
      const auto& r = run.probes[i].result;
      ++total;
      if (r.healthy()) ++ok;
      if (r.transport == kit::TransportError::none) latencies.push_back(r.latency);
    }
    run.observed_success_rate = total ? static_cast<double>(ok) / static_cast<double>(total) : 1.0;
    if (!latencies.empty()) run.observed_p95 = percentile(latencies, 0.95);
    run.observe_passed = total > 0 && run.observed_success_rate + 1e-9 >= config.timing.min_success_rate &&
                         (!config.timing.max_p95_latency || !run.observed_p95 || *run.observed_p95 <= *config.timing.max_p95_latency);
  }
  run.elapsed = since_start();
  return run;
}

}  // namespace health_gate
