#include "kit/runtime.hpp"

#include <iostream>

#include "kit/log.hpp"
#include "kit/secrets.hpp"
#include "kit/version.hpp"

namespace kit {

std::string version_string() {
  return std::string(kVersion) + " (commit " + std::string(kGitCommit) + ")";
}

int run_tool(const ToolSpec& spec, const std::vector<std::string>& argv, const Env& env, const ToolBody& body) {
  secrets().set_announce(env.in_github_actions());
  Parsed parsed;
  try {
    parsed = parse_args(spec, argv, env);
  } catch (const Error& e) {
    // Usage errors are one line on stderr, whatever the log settings.
    std::cerr << spec.name << ": " << secrets().redact(e.what()) << std::endl;
    return static_cast<int>(e.code());
  }
  switch (parsed.early) {
    case Early::help:
      std::cout << parsed.text;
      return 0;
    case Early::version:
      std::cout << spec.name << " " << version_string() << std::endl;
      return 0;
    case Early::describe_inputs:
      std::cout << parsed.text << std::endl;
      return 0;
    case Early::none:
      break;
  }
  const Args& args = parsed.args;
  std::string log_format = args.str("log-format");
  if (log_format != "text" && log_format != "json") {
    std::cerr << spec.name << ": --log-format: '" << log_format << "' is not a log format (use text or json)" << std::endl;
    return static_cast<int>(Exit::usage);
  }
  log::Level level = args.flag("verbose") ? log::Level::debug : args.flag("quiet") ? log::Level::warn : log::Level::info;
  log::init(spec.name, log_format == "json" ? log::Format::json : log::Format::text, level);

  Report report(env, spec.name, args.flag("json"));
  Context ctx{args, report, env};
  Outcome outcome;
  try {
    outcome = body(ctx);
  } catch (const Error& e) {
    std::string message = e.what();
    if (e.code() == Exit::usage) {
      std::cerr << spec.name << ": " << secrets().redact(message) << std::endl;
    } else {
      report.annotate(Severity::error, message, {.title = spec.name});
      if (!e.hint().empty()) log::error("what to do: " + e.hint());
    }
    report.output("error", message);
    report.summary("### " + spec.name + ": failed\n\n" + message + (e.hint().empty() ? "" : "\n\n**What to do:** " + e.hint()) + "\n");
    report.finish(e.code(), message, e.hint());
    return static_cast<int>(e.code());
  } catch (const std::exception& e) {
    std::string message = std::string("internal error: ") + e.what();
    report.annotate(Severity::error, message, {.title = spec.name});
    report.finish(Exit::environment, message, "please report this as a bug");
    return static_cast<int>(Exit::environment);
  }
  // The verdict goes to the log as well, so a reader of the step log sees how it ended.
  if (!outcome.headline.empty()) {
    if (outcome.code == Exit::ok) log::info(outcome.headline);
    else log::error(outcome.headline);
  }
  if (outcome.code != Exit::ok && !outcome.hint.empty()) log::error("what to do: " + outcome.hint);
  report.finish(outcome.code, outcome.headline, outcome.hint);
  return static_cast<int>(outcome.code);
}

int run_tool(const ToolSpec& spec, int argc, char** argv, const ToolBody& body) {
  std::vector<std::string> args(argv, argv + argc);
  Env env;
  return run_tool(spec, args, env, body);
}

}  // namespace kit
