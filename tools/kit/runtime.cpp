#include "kit/runtime.hpp"

#include <iostream>

#include "kit/interrupt.hpp"
#include "kit/log.hpp"
#include "kit/secrets.hpp"
#include "kit/text.hpp"
#include "kit/version.hpp"

namespace kit {

std::string version_string() {
  return std::string(kVersion) + " (commit " + std::string(kGitCommit) + ")";
}

namespace {

// Whether --json was asked for, read without the option parser: a usage error found while
// parsing the options still owes the caller its one JSON object on stdout.
bool wants_json(const std::vector<std::string>& argv, const Env& env) {
  for (size_t i = 1; i < argv.size(); ++i) {
    if (argv[i] == "--") break;
    if (argv[i] == "--json") return true;
    if (argv[i].rfind("--json=", 0) == 0) return parse_bool(std::string_view(argv[i]).substr(7)).value_or(false);
  }
  auto v = env.get(input_env_name("json"));
  return v && parse_bool(trim(*v)).value_or(false);
}

// The one reporting path for a failed run, whenever the error was found: message, annotation,
// `error` output, summary and the --json result.
int report_error(const ToolSpec& spec, Report& report, const Error& e) {
  std::string message = e.what();
  if (e.code() == Exit::usage) {
    // Usage errors are one line on stderr, whatever the log settings, with what to do on the same
    // line: at 3 a.m. the terminal is all there is (the hint used to reach only --json and the summary).
    // Escaped: the message may quote what the user (or a workflow input) passed.
    std::string line = message + (e.hint().empty() ? "" : " (what to do: " + e.hint() + ")");
    std::cerr << spec.name << ": " << escape_controls(secrets().redact(line)) << std::endl;
    // In Actions the run page shows annotations, not stderr; outside it the line above is enough.
    if (report.in_actions()) report.annotate(Severity::error, message, {.title = spec.name + ": usage error"});
  } else {
    report.annotate(Severity::error, message, {.title = spec.name});
    if (!e.hint().empty()) log::error("what to do: " + e.hint());
  }
  report.output("error", message);
  report.summary("### " + spec.name + ": failed\n\n" + message + (e.hint().empty() ? "" : "\n\n**What to do:** " + e.hint()) + "\n");
  report.finish(e.code(), message, e.hint());
  return static_cast<int>(e.code());
}

const Command* find_command(const ToolSpec& spec, const std::string& name) {
  for (const auto& c : spec.commands)
    if (c.name == name) return &c;
  return nullptr;
}

}  // namespace

int run_tool(const ToolSpec& spec, const std::vector<std::string>& argv, const Env& env) {
  install_interrupt_forwarding();
  secrets().set_announce(env.in_github_actions(), wants_json(argv, env));
  Parsed parsed;
  try {
    parsed = parse_args(spec, argv, env);
  } catch (const Error& e) {
    Report report(env, spec.name, wants_json(argv, env));
    return report_error(spec, report, e);
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
  Report report(env, spec.name, args.flag("json"));
  std::string log_format = args.str("log-format");
  if (log_format != "text" && log_format != "json")
    return report_error(spec, report, usage_error("--log-format: '" + log_format + "' is not a log format (use text or json)"));
  log::Level level = args.flag("verbose") ? log::Level::debug : args.flag("quiet") ? log::Level::warn : log::Level::info;
  log::init(spec.name, log_format == "json" ? log::Format::json : log::Format::text, level);

  const Command* command = find_command(spec, args.command());
  if (!command || !command->run)
    return report_error(spec, report, Error(Exit::environment, "internal error: no run function declared for command '" + args.command() + "'",
                                            "please report this as a bug"));
  Context ctx{args, report, env};
  Outcome outcome;
  try {
    try {
      outcome = command->run(ctx);
    } catch (const Error&) {
      throw;
    } catch (...) {
      if (spec.lift_error) spec.lift_error();  // rethrows as kit::Error when the tool knows the type
      throw;
    }
  } catch (const Error& e) {
    return report_error(spec, report, e);
  } catch (const std::exception& e) {
    return report_error(spec, report, Error(Exit::environment, std::string("internal error: ") + e.what(), "please report this as a bug"));
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

int run_tool(const ToolSpec& spec, int argc, char** argv) {
  std::vector<std::string> args(argv, argv + argc);
  Env env;
  return run_tool(spec, args, env);
}

}  // namespace kit
