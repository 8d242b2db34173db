#include <doctest/doctest.h>

#include "health-gate/gate.hpp"
#include "health-gate/verdict.hpp"

using namespace health_gate;

namespace {
// A scripted prober: no network, so the loop and the verdict are tested on their own.
ProbeFn scripted(std::vector<ProbeResult> script) {
  auto i = std::make_shared<size_t>(0);
  return [script, i](const std::string& url, kit::Millis) {
    ProbeResult r = script[std::min(*i, script.size() - 1)];
    ++*i;
    r.url = url;
    return r;
  };
}
ProbeResult ok(std::string version = "") {
  ProbeResult r;
  r.status = 200;
  r.latency = kit::Millis(5);
  if (!version.empty()) r.version = version;
  return r;
}
ProbeResult fail(Failure f, std::string detail, std::string version = "") {
  ProbeResult r;
  r.status = 503;
  r.failure = f;
  r.detail = std::move(detail);
  if (!version.empty()) r.version = version;
  return r;
}
Config quick() {
  Config c;
  c.urls = {"http://127.0.0.1/health"};
  c.timing.interval = kit::Millis(1);
  c.timing.deadline = kit::Millis(2000);
  return c;
}
}  // namespace

TEST_CASE("consecutive successes are required") {
  Config c = quick();
  c.timing.successes = 3;
  auto run = run_gate(c, scripted({ok(), fail(Failure::status, "503"), ok(), ok(), ok()}));
  CHECK(run.healthy());
  CHECK(run.rounds == 5);
}

TEST_CASE("version mismatch verdict counts the old answers") {
  Config c = quick();
  c.timing.deadline = kit::Millis(50);
  c.timing.interval = kit::Millis(5);
  c.checks.expected_version = "1.5.0";
  auto run = run_gate(c, scripted({fail(Failure::version, "1.4.1 answered, expected 1.5.0", "1.4.1")}));
  CHECK_FALSE(run.healthy());
  auto v = decide(c, run);
  CHECK(v.reason.rfind("1.4.1 answered, expected 1.5.0 (", 0) == 0);
  auto n = std::to_string(run.probes.size());
  CHECK(v.reason.find("(" + n + " of " + n + " answers were") != std::string::npos);
}

TEST_CASE("observation window with a failure spike fails the gate") {
  Config c = quick();
  c.timing.observe = kit::Millis(40);
  c.timing.interval = kit::Millis(4);
  c.timing.min_success_rate = 0.9;
  std::vector<ProbeResult> script = {ok()};
  for (int i = 0; i < 100; ++i) script.push_back(i % 2 ? ok() : fail(Failure::status, "500 from /health"));
  auto run = run_gate(c, scripted(script));
  CHECK(run.turned_healthy);
  CHECK_FALSE(run.observe_passed);
  auto v = decide(c, run);
  CHECK(v.reason.rfind("success rate ", 0) == 0);
  CHECK(v.reason.find("500 from /health") != std::string::npos);
}

TEST_CASE("percentiles use nearest rank") {
  std::vector<kit::Millis> v;
  for (int i = 1; i <= 100; ++i) v.push_back(kit::Millis(i));
  CHECK(percentile(v, 0.95) == kit::Millis(95));
  CHECK(percentile(v, 0.5) == kit::Millis(50));
  CHECK(percentile({kit::Millis(7)}, 0.95) == kit::Millis(7));
}

TEST_CASE("a last probe cut short by --timeout does not hide the answers before it") {
  // test_latency_gate failed under load: every complete answer was too slow, but the verdict led
  // with the final probe, whose request timeout had been shortened to what was left of --timeout.
  Config c = quick();
  c.timing.deadline = kit::Millis(40);
  c.timing.interval = kit::Millis(5);
  c.timing.request_timeout = kit::Millis(10'000);
  ProbeResult slow = fail(Failure::latency, "/health answered in 300ms, slower than 100ms");
  ProbeResult cut = fail(Failure::transport, "timed out");
  cut.transport = kit::TransportError::timeout;
  auto run = run_gate(c, scripted({slow, cut}));
  REQUIRE(run.probes.size() >= 2);
  CHECK(run.probes.back().cut_by_deadline);
  auto v = decide(c, run);
  CHECK(v.reason.rfind("/health answered in 300ms, slower than 100ms (", 0) == 0);
  CHECK(v.hint.find("too slowly") != std::string::npos);

  // A timeout that the service caused (the full --request-timeout) stays the headline.
  c.timing.request_timeout = kit::Millis(1);
  auto run2 = run_gate(c, scripted({slow, cut}));
  CHECK_FALSE(run2.probes.back().cut_by_deadline);
  CHECK(decide(c, run2).reason.rfind("timed out", 0) == 0);
}
