#include <cmath>
#include <nlohmann/json.hpp>

#include "health-gate/gate.hpp"
#include "health-gate/health_gate.hpp"
#include "health-gate/verdict.hpp"
#include "kit/log.hpp"
#include "kit/process.hpp"
#include "kit/secrets.hpp"
#include "kit/text.hpp"

namespace health_gate {
namespace {

std::string status_text(const ProbeResult& r) {
  return r.transport == kit::TransportError::none ? std::to_string(r.status) : kit::transport_error_name(r.transport);
}

void write_report(kit::Report& report, const Config& config, const GateRun& run, const Verdict& v) {
  report.output("healthy", v.healthy);
  report.output("attempts", run.probes.size());
  report.output("elapsed", kit::format_duration(run.elapsed));
  report.output("last-status", v.last_status);
  report.output("p50-latency", kit::format_duration(v.p50));
  report.output("p95-latency", kit::format_duration(v.p95));
  report.output("reason", v.reason);
  // Only when observed: a gate that never turned healthy has no rate (1.0 would read as perfect).
  if (run.observed) report.output("observed-success-rate", std::round(run.observed_success_rate * 10'000) / 10'000);
  std::string last_version;
  for (const auto& p : run.probes)
    if (p.result.version) last_version = *p.result.version;
  if (!last_version.empty()) report.output("served-version", last_version);

  // The summary lists the last probes; a long run would otherwise bury the verdict.
  std::vector<std::vector<std::string>> rows;
  size_t first = run.probes.size() > 30 ? run.probes.size() - 30 : 0;
  for (size_t i = first; i < run.probes.size(); ++i) {
    const auto& p = run.probes[i];
    rows.push_back({std::to_string(p.round), kit::format_duration(p.at), p.phase == Phase::observe ? "observe" : "probe",
                    kit::redact_url(p.result.url), status_text(p.result), kit::format_duration(p.result.latency),
                    p.result.version.value_or(""), p.result.healthy() ? "healthy" : p.result.detail});
  }
  std::string md = std::string("### health-gate: ") + (v.healthy ? "healthy" : "NOT healthy") + "\n\n" + v.reason + "\n\n";
  if (!v.hint.empty()) md += "**What to do:** " + v.hint + "\n\n";
  md += "| rounds | elapsed | p50 | p95 |\n| --- | --- | --- | --- |\n| " + std::to_string(run.rounds) + " | " +
        kit::format_duration(run.elapsed) + " | " + kit::format_duration(v.p50) + " | " + kit::format_duration(v.p95) + " |\n\n";
  if (first > 0) md += "Last 30 of " + std::to_string(run.probes.size()) + " probes:\n\n";
  md += kit::markdown_table({"round", "at", "phase", "url", "status", "latency", "version", "result"}, rows);
  report.summary(md);

  nlohmann::json probes = nlohmann::json::array();
  for (const auto& p : run.probes)
    probes.push_back({{"round", p.round},
                      {"at_ms", p.at.count()},
                      {"phase", p.phase == Phase::observe ? "observe" : "probe"},
                      {"url", kit::redact_url(p.result.url)},
                      {"status", p.result.status},
                      {"transport_error", p.result.transport == kit::TransportError::none ? "" : kit::transport_error_name(p.result.transport)},
                      {"latency_ms", p.result.latency.count()},
                      {"http_version", p.result.http_version},
                      {"version", p.result.version.value_or("")},
                      {"healthy", p.result.healthy()},
                      {"detail", p.result.detail}});
  report.result("probes", probes);
  report.result("healthy", v.healthy);
}

std::map<std::string, std::string> hook_env(const Config& config, const GateRun& run, const Verdict& v) {
  std::string last_version;
  for (const auto& p : run.probes)
    if (p.result.version) last_version = *p.result.version;
  // Texts that quote the service (reason, served version) are redacted here: a service that
  // reflects a secret header or token in its body must not hand it to the rollback command.
  return {{"HEALTH_GATE_HEALTHY", v.healthy ? "true" : "false"},
          {"HEALTH_GATE_REASON", kit::secrets().redact(v.reason)},
          {"HEALTH_GATE_URL", kit::redact_url(v.url)},
          {"HEALTH_GATE_LAST_STATUS", std::to_string(v.last_status)},
          {"HEALTH_GATE_ATTEMPTS", std::to_string(run.probes.size())},
          {"HEALTH_GATE_ELAPSED", kit::format_duration(run.elapsed)},
          {"HEALTH_GATE_EXPECTED_VERSION", config.checks.expected_version.value_or("")},
          {"HEALTH_GATE_SERVED_VERSION", kit::secrets().redact(last_version)},
          {"HEALTH_GATE_PHASE", run.observed ? "observe" : "probe"}};
}

// Runs a hook; returns an empty string on success, else what went wrong.
std::string run_hook(const char* name, const std::vector<std::string>& argv, const Config& config, const GateRun& run,
                     const Verdict& v, kit::Report& report) {
  std::string shown = kit::escape_controls(kit::join(argv, " "));
  report.group_begin(std::string(name) + ": " + shown);
  kit::log::info(std::string("running ") + name + ": " + shown);
  kit::ProcessSpec spec{argv, hook_env(config, run, v), std::nullopt, config.hooks.timeout, true};
  auto result = kit::run_process(spec);
  report.group_end();
  // As a shell reports it (128 + N for a hook killed by signal N), so a step can tell a crash from
  // an exit status without parsing the message; -1 when it did not start or was stopped at the timeout.
  report.output(std::string(name) + "-exit-code",
                result.timed_out ? -1 : result.signal ? 128 + result.signal : result.exit_code);
  if (!result.started) return "could not start: " + result.error;
  if (result.timed_out) return "did not finish within " + kit::format_duration(config.hooks.timeout) + " and was stopped";
  if (result.signal) return kit::how_it_ended(result);
  if (result.interrupted && result.exit_code != 0) return "ended with " + kit::how_it_ended(result);
  if (result.exit_code != 0) return "exited with code " + std::to_string(result.exit_code);
  return "";
}

}  // namespace

kit::Outcome run(kit::Context& ctx) {
  Config config = plan(ctx.args, ctx.env);
  for (const auto& w : config.warnings) ctx.report.annotate(kit::Severity::warning, w, {.title = "health-gate"});
  if (config.tls.insecure)
    kit::log::warn("--insecure: TLS certificates are NOT verified; anyone on the path can answer for the service");
  std::string targets;
  for (const auto& u : config.urls) targets += (targets.empty() ? "" : ", ") + kit::redact_url(u);
  kit::log::info("probing " + targets + " every " + kit::format_duration(config.timing.interval) + " for up to " +
                 kit::format_duration(config.timing.deadline));

  GateRun gate = run_gate(config, http_prober(config));
  Verdict v = decide(config, gate);
  write_report(ctx.report, config, gate, v);

  if (v.healthy) {
    if (!config.hooks.on_success.empty()) {
      if (auto problem = run_hook("on-success", config.hooks.on_success, config, gate, v, ctx.report); !problem.empty())
        throw kit::partial_error("the service is healthy but --on-success " + problem,
                                 "the deploy is live; run the on-success step by hand");
    }
    return {kit::Exit::ok, v.reason};
  }

  if (config.hooks.on_failure.empty()) {
    ctx.report.annotate_verdict(kit::Severity::error, v.reason, {.title = "health-gate: not healthy"});
    return {kit::Exit::negative, "NOT healthy: " + v.reason, v.hint};
  }
  kit::log::error("NOT healthy: " + v.reason);
  ctx.report.output("rolled-back", false);
  std::string problem = run_hook("on-failure", config.hooks.on_failure, config, gate, v, ctx.report);
  if (!problem.empty()) {
    throw kit::partial_error("NOT healthy (" + v.reason + ") and the rollback " + problem,
                             "the broken release may still be serving: roll back by hand now, then check the rollback command's output above");
  }
  ctx.report.output("rolled-back", true);
  std::string headline = "NOT healthy: " + v.reason + "; rollback succeeded";
  ctx.report.annotate_verdict(kit::Severity::error, headline, {.title = "health-gate: rolled back"});
  return {kit::Exit::negative, headline, v.hint};
}

}  // namespace health_gate
