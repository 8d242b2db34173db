// health-gate's judgement of one response from the service under deploy (status, headers, body:
// JSON, NestJS Terminus, version, --expect-body), then the verdict and the report writer (step
// outputs, summary and --json result) over it. Input: byte 0 picks the status, then
// "expectation", NUL, body. Invariants: a verdict is always produced (never an exception), it has
// a reason, an unhealthy answer is never a healthy verdict, and the writer survives any bytes.
#include <unistd.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "fuzz_support.hpp"
#include "health-gate/config.hpp"
#include "health-gate/gate.hpp"
#include "health-gate/verdict.hpp"
#include "kit/env.hpp"
#include "kit/error.hpp"
#include "kit/report.hpp"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // The --json result goes to stdout; libFuzzer reports on stderr.
  if (!std::freopen("/dev/null", "w", stdout)) std::abort();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static const long kStatus[] = {200, 201, 204, 301, 404, 429, 500, 503};
  long status = kStatus[data[0] % 8];
  bool header_version = data[0] & 8;
  auto [expectation, body] = fuzz::split2(fuzz::as_string(data + 1, size - 1));

  health_gate::Config config;
  config.urls = {"http://127.0.0.1:8080/health"};
  config.checks.expected_version = "1.5.0";
  if (header_version) config.checks.version_from = health_gate::VersionSource::parse("header:x-version");
  try {
    if (!expectation.empty()) config.checks.json.push_back(health_gate::JsonExpectation::parse(expectation));
  } catch (const kit::Error& e) {
    FUZZ_CHECK(e.code() == kit::Exit::usage, "a bad --expect-json is a usage error");
  }
  if (data[0] & 16) config.checks.body_pattern = health_gate::BodyPattern::compile("(?i)\"status\"\\s*:\\s*\"(ok|up)\"");

  kit::HttpResponse response;
  response.status = status;
  response.body = body;
  response.http_version = "1.1";
  response.headers = {{"content-type", "application/json"}, {"x-version", expectation}};

  health_gate::ProbeResult probe = health_gate::judge(config.urls[0], response, config.checks);
  bool status_ok = status >= 200 && status <= 299;
  if (!status_ok) FUZZ_CHECK(!probe.healthy(), "a status outside 200-299 is never healthy");
  if (!probe.healthy()) FUZZ_CHECK(!probe.detail.empty(), "a failed probe says why");

  health_gate::GateRun run;
  run.probes.push_back({probe, health_gate::Phase::probe, kit::Millis(10), 1});
  run.turned_healthy = probe.healthy();
  run.rounds = 1;
  run.elapsed = kit::Millis(10);
  health_gate::Verdict v = health_gate::decide(config, run);
  FUZZ_CHECK(v.healthy == probe.healthy(), "the verdict follows the one probe");
  FUZZ_CHECK(!v.reason.empty(), "a verdict has a reason");

  // The writer: the same calls health-gate's run makes (outputs, summary, --json result).
  kit::Env env(std::map<std::string, std::string>{{"GITHUB_ACTIONS", "true"},
                                                  {"GITHUB_OUTPUT", "/dev/null"},
                                                  {"GITHUB_STEP_SUMMARY", "/dev/null"}});
  kit::Report report(env, "health-gate", true);
  report.output("healthy", v.healthy);
  report.output("reason", v.reason);
  if (probe.version) report.output("served-version", *probe.version);
  report.summary("### health-gate\n\n" + v.reason + "\n\n" + probe.detail);
  report.annotate(kit::Severity::error, v.reason);
  report.result("probes", nlohmann::json::array({{{"detail", probe.detail},
                                                  {"version", probe.version.value_or("")},
                                                  {"failing", probe.failing_indicators}}}));
  report.finish(v.healthy ? kit::Exit::ok : kit::Exit::negative, v.reason, v.hint);
  return 0;
}
