#include "ota-publish/eas_runner.hpp"

#include <filesystem>
#include <sstream>

#include "kit/log.hpp"
#include "ota-publish/eas_output.hpp"
#include "ota-publish/untrusted_text.hpp"

namespace ota {
namespace {

// eas's progress goes to stderr: shown with --verbose, and its tail when it failed.
void log_stderr(const std::string& err, bool failed) {
  std::istringstream in(err);
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line))
    if (line.find_first_not_of(" \t\r") != std::string::npos) lines.push_back(line);
  size_t first = failed && lines.size() > 20 ? lines.size() - 20 : 0;
  for (size_t i = first; i < lines.size(); ++i) {
    std::string text = "eas: " + shown(lines[i], 500);
    if (failed) kit::log::warn(text);
    else kit::log::debug(text);
  }
}

}  // namespace

std::string call_name(const EasCall& call) { return "eas " + (call.args.empty() ? std::string() : call.args.front()); }

EasRunner process_runner(EasSetup setup) {
  // A relative program path means relative to where we were started, not to --project-dir.
  if (!setup.program.empty() && setup.program[0].find('/') != std::string::npos)
    setup.program[0] = std::filesystem::absolute(setup.program[0]).string();
  return [setup](const EasCall& call) {
    kit::ProcessSpec spec;
    spec.argv = setup.program;
    spec.argv.insert(spec.argv.end(), call.args.begin(), call.args.end());
    spec.env_add = setup.env;
    spec.timeout = setup.timeout;
    spec.cwd = setup.project_dir;
    kit::log::info("running " + call_name(call) + ": " + call.purpose);
    EasRun run{call, kit::run_process(spec), !setup.token, setup.program.empty() ? std::string() : setup.program[0]};
    log_stderr(run.result.err, !run.succeeded());
    kit::log::debug(call_name(call) + " finished in " + kit::format_duration(run.result.elapsed) + ": " + kit::how_it_ended(run.result));
    return run;
  };
}

kit::Error eas_failure(const EasRun& run, const std::string& hint) {
  std::string name = call_name(run.call);
  const auto& r = run.result;
  if (!r.started)
    return kit::environment_error("could not start eas" + (run.program.empty() ? std::string() : " ('" + shown(run.program, 200) + "')") +
                                      ": " + shown(r.error, 200) + "; nothing changed",
                                  "install eas-cli 24.8 (npm install -g eas-cli@24.8.0) or pass --eas with the path of an executable eas "
                                  "(or a command line such as 'npx --yes eas-cli@24.8.0')");
  bool write = run.call.effect == Effect::write;
  if (r.timed_out || (write && (r.signal || r.interrupted))) {
    // Stopped part-way (our deadline, or a signal: the OOM killer, a cancelled job): a write may
    // have reached EAS before it ended.
    std::string msg = r.timed_out ? name + " did not finish within " + kit::format_duration(r.elapsed) + " and was stopped"
                                  : name + " was " + (r.signal ? kit::how_it_ended(r) : "interrupted (" + kit::how_it_ended(r) + ")");
    if (!write) return kit::environment_error(msg + "; nothing changed", "check the network and EAS status, or raise --timeout");
    return kit::partial_error(msg + " while it was changing EAS (" + run.call.purpose + "): it may or may not have taken effect", hint);
  }
  // eas changes EAS with one request at the end of a write; a failed run made no change it reported.
  return kit::environment_error(eas_failure_line(run) + (write ? "; EAS reported no change" : "; nothing changed"),
                                eas_failure_hint(run, hint));
}

std::string eas_failure_line(const EasRun& run) {
  std::string why = eas_error_line(run.result.err);
  std::string msg = call_name(run.call) + " failed (" + kit::how_it_ended(run.result) + ")" + (why.empty() ? "" : ": " + why);
  // At 3 a.m. the likeliest cause: say it first.
  if (run.without_token) msg += " (no EXPO_TOKEN was set, so eas was not logged in unless `eas login` was run here)";
  return msg;
}

std::string eas_failure_hint(const EasRun& run, const std::string& hint) {
  if (!run.without_token) return hint;
  return "set EXPO_TOKEN to an Expo access token (expo.dev > Account settings > Access tokens; in a workflow: env: EXPO_TOKEN: "
         "${{ secrets.EXPO_TOKEN }}); then " + hint;
}

std::string read_or_throw(const EasRunner& runner, const EasCall& call, const std::string& hint) {
  EasRun run = runner(call);
  if (!run.succeeded())
    throw eas_failure(run, !hint.empty() ? hint
                                         : "check EXPO_TOKEN, the project directory (--project-dir) and the names given; run the command "
                                           "above by hand to see eas's full output");
  return run.result.out;
}

}  // namespace ota
