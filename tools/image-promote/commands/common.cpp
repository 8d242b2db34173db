#include "image-promote/commands/common.hpp"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <set>

#include "image-promote/history.hpp"
#include "kit/error.hpp"
#include "kit/log.hpp"
#include "kit/secrets.hpp"
#include "kit/text.hpp"

namespace image_promote::commands {

SessionRequest session_request(kit::Context& ctx, const std::vector<std::string>& registries) {
  const auto& args = ctx.args;
  SessionRequest out;
  ClientOptions& options = out.client;
  for (const auto& h : kit::split_commas(args.list("insecure-registry"))) options.insecure_registries.push_back(h);
  options.tls.cacert = args.str("cacert");
  options.retry.max_attempts = static_cast<int>(args.integer("retries", 1, 20));
  options.retry.initial_delay = args.duration("retry-delay");
  options.retry.max_delay = std::max(options.retry.initial_delay, kit::Millis{10'000});
  options.timeout = args.duration("timeout");
  if (options.timeout.count() <= 0) throw kit::usage_error("--timeout must be longer than 0s");
  options.deadline = std::chrono::steady_clock::now() + options.timeout;
  options.temp_dirs.clear();
  if (auto t = ctx.env.get("TMPDIR")) options.temp_dirs.push_back(*t);
  options.temp_dirs.insert(options.temp_dirs.end(), {"/tmp", "/var/tmp", "."});
  jobs_of(args);  // a bad --jobs is a usage error for every command, before any request
  std::string password = args.str("password");
  if (args.on_command_line("password"))
    throw kit::usage_error("--password on the command line is visible to every process on the machine; refused",
                           "use --password-stdin, REGISTRY_PASSWORD, or the action's password input");
  if (args.flag("password-stdin")) {
    std::getline(std::cin, password);
    if (!password.empty() && password.back() == '\r') password.pop_back();
    if (password.empty()) throw kit::usage_error("--password-stdin: nothing on standard input");
  }
  if (!password.empty()) kit::secrets().add(password);
  CredentialSources& sources = out.credentials;
  sources = credential_sources(ctx.env, args.str("username"), password);
  if (sources.explicit_credential) {
    std::set<std::string> distinct(registries.begin(), registries.end());
    sources.explicit_for = args.str("credentials-for");
    if (sources.explicit_for.empty() && distinct.size() > 1)
      throw kit::usage_error("the credentials from " + sources.explicit_credential->source + " would go to " +
                             kit::join({distinct.begin(), distinct.end()}, " and ") +
                             ": say which registry they are for with --credentials-for HOST (the other one uses "
                             "GITHUB_TOKEN or the docker config)");
    if (sources.explicit_for.empty()) sources.explicit_for = *distinct.begin();
  }
  return out;
}

int jobs_of(const kit::Args& args) { return static_cast<int>(args.integer("jobs", 1, 64)); }

std::string read_input_file(const std::string& path, const std::string& what) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw kit::usage_error(what + " '" + path + "' is a directory, not a file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw kit::usage_error("cannot read " + what + " '" + path + "'");
  std::string text;
  try {
    text.assign(std::istreambuf_iterator<char>(in), {});
  } catch (const std::exception&) {
    throw kit::usage_error("cannot read " + what + " '" + path + "'");
  }
  if (in.bad()) throw kit::usage_error("cannot read " + what + " '" + path + "'");
  return text;
}

void report_copy_figures(kit::Report& report, const std::string& digest, const std::string& previous,
                         const std::vector<std::string>& platforms, const CopyStats& stats) {
  report.output("digest", digest);
  report.output("previous-digest", previous);
  report.output("platforms", kit::join(platforms));
  report.output("bytes-uploaded", std::to_string(stats.bytes_uploaded));
  report.output("blobs-mounted", std::to_string(stats.blobs_mounted));
  report.result("digest", digest);
  report.result("previous_digest", previous);
  report.result("platforms", platforms);
  report.result("bytes_uploaded", stats.bytes_uploaded);
  report.result("blobs_mounted", stats.blobs_mounted);
  report.result("blobs_uploaded", stats.blobs_uploaded);
  report.result("blobs_streamed", stats.blobs_streamed);
  report.result("blobs_present", stats.blobs_present);
  report.result("manifests_written", stats.manifests_written);
}

kit::Outcome report_plan(kit::Context& ctx, const std::string& title, const std::vector<std::string>& steps,
                         const std::vector<std::string>& warnings) {
  for (const auto& w : warnings) kit::log::warn(w);
  std::string md = "### image-promote " + title + " (dry run)\n\nWould, in this order:\n\n";
  for (size_t i = 0; i < steps.size(); ++i) {
    md += std::to_string(i + 1) + ". " + steps[i] + "\n";
    kit::log::info("would " + steps[i]);
  }
  ctx.report.summary(md);
  ctx.report.result("plan", steps);
  ctx.report.result("dry_run", true);
  return {kit::Exit::ok, "dry run: would " + kit::join(steps, "; then "), ""};
}

GatePolicy gate_policy(const kit::Args& args) {
  GatePolicy p;
  p.threshold = threshold_of({args.str("fail-on")});
  p.ignore_unfixed = args.flag("ignore-unfixed");
  if (auto f = args.str("ignore-file"); !f.empty()) p.ignore = parse_trivyignore(read_input_file(f, "ignore file"));
  p.today = utc_now().substr(0, 10);
  return p;
}

bool report_gate(kit::Context& ctx, const std::string& report_path, const GatePolicy& policy, const GateResult& g) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& f : g.blocking) {
    if (rows.size() >= 100) break;
    rows.push_back({severity_name(f.severity), f.id, f.package, f.installed, f.fixed.empty() ? "(no fix)" : f.fixed, f.title});
  }
  int annotated = 0;
  for (const auto& f : g.blocking) {
    if (++annotated > 20) break;  // the UI shows a handful per step; the summary has them all
    ctx.report.annotate(kit::Severity::error,
                        std::string(severity_name(f.severity)) + " " + f.id + " in " + f.package + " " + f.installed +
                            (f.fixed.empty() ? " (no fix yet)" : " (fixed in " + f.fixed + ")") + ": " + f.title,
                        kit::Location{report_path, 0, 0, 0, "image-promote gate: " + f.id});
  }
  std::string counts;
  for (auto s : {Severity::critical, Severity::high, Severity::medium, Severity::low, Severity::unknown})
    counts += std::string(counts.empty() ? "" : ", ") + severity_name(s) + " " +
              std::to_string(g.counts.count(s) ? g.counts.at(s) : 0);
  if (g.duplicates) counts += ", " + std::to_string(g.duplicates) + " repeated under another target counted once";
  std::string md = std::string("### image-promote gate: ") + (g.blocked() ? "BLOCKED" : "passed") + "\n\n";
  md += "Report `" + report_path + "`" + (g.artifact.empty() ? "" : " for `" + g.artifact + "`") + ": " +
        std::to_string(g.total) + " finding(s) (" + counts + "); threshold " + severity_name(policy.threshold) +
        (policy.ignore_unfixed ? ", unfixed ignored" : "") + ", " + std::to_string(g.ignored.size()) + " ignored.\n\n";
  if (!rows.empty()) md += kit::markdown_table({"severity", "id", "package", "installed", "fixed in", "title"}, rows);
  ctx.report.summary(md);
  ctx.report.output("blocking-findings", std::to_string(g.blocking.size()));
  nlohmann::json findings = nlohmann::json::array();
  for (const auto& f : g.blocking)
    findings.push_back({{"id", f.id}, {"severity", severity_name(f.severity)}, {"package", f.package},
                        {"installed", f.installed}, {"fixed", f.fixed}, {"title", f.title}, {"target", f.target}});
  ctx.report.result("blocking_findings", findings);
  ctx.report.result("ignored_findings", g.ignored.size());
  ctx.report.result("total_findings", g.total);
  return g.blocked();
}

}  // namespace image_promote::commands
