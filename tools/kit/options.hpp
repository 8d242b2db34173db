#pragma once
// Options are declared once per tool; the declaration drives the command-line flags, the
// INPUT_<NAME> fallback that GitHub Actions uses, --help, and the action.yml check
// (--describe-inputs prints the declaration as JSON so tests can compare it with action.yml).
#include <map>
#include <set>
#include <optional>
#include <string>
#include <vector>

#include "kit/duration.hpp"
#include "kit/env.hpp"

namespace kit {

enum class OptionKind { value, flag, list, positional };

// What a value must look like, checked while parsing (flag, input or default alike), so that
// `INPUT_JOBS=abc` is a usage error (exit 2) before anything runs, in every tool. Ranges and
// meaning stay with the tool (Args::integer(name, min, max)). An option left `text` whose metavar
// is `N` or `DURATION` (what --help promises the user) is checked as an integer or a duration too,
// so tools declared before `type` existed get the check without a change.
enum class ValueType {
  text,
  integer,   // a whole number (kit::parse_integer)
  number,    // a finite decimal number: no nan, no inf (kit::parse_number)
  duration,  // 500ms, 5s, 2m, 1h30m (kit::parse_duration)
};

struct Option {
  std::string name;  // long flag and input name, e.g. "max-attempts"
  std::string help;
  std::string default_value;  // shown in --help and used when neither flag nor input is given
  OptionKind kind = OptionKind::value;
  std::string metavar = "VALUE";
  bool secret = false;  // values are masked in every output
  // Neither the flag nor INPUT_<NAME> given (an empty input counts as not given) is a usage error,
  // and action.yml marks the input required. On a command's option it holds for that command
  // only, which action.yml cannot express (one file serves every command), so there it shows as
  // not required; needs that depend on other options stay checks in the tool's code.
  bool required = false;
  ValueType type = ValueType::text;
};

struct Context;
struct Outcome;
// What runs a command: options (in the Context) -> request -> library call -> report. The command
// list is the dispatcher: kit::run_tool calls the parsed command's `run`, nothing else does.
using CommandRun = Outcome (*)(Context&);

struct Command {
  std::string name;     // empty for tools without subcommands
  std::string summary;  // one line for --help
  std::vector<Option> options;
  CommandRun run = nullptr;
  // Shown by `<tool> <command> --help` and `<tool> help <command>`, one example per line. When
  // empty, the lines of ToolSpec::examples that run this command are shown instead.
  std::string examples;
};

// Called inside a catch block for an exception that is not a kit::Error: a tool that knows the
// exception's type rethrows it as a kit::Error (category, message, hint); otherwise it returns
// and kit reports an internal error. (The Lippincott pattern: one place per tool, not per command.)
using ErrorLift = void (*)();

struct ToolSpec {
  std::string name;
  std::string summary;
  std::vector<Option> options;    // shared by all commands
  std::vector<Command> commands;  // one unnamed command for tools without subcommands
  std::string examples;           // appended to --help
  ErrorLift lift_error = nullptr;
};

// The name an input arrives under in GitHub Actions: upper-cased, spaces to '_', hyphens kept.
std::string input_env_name(const std::string& option_name);

class Args {
 public:
  const std::string& command() const { return command_; }
  bool has(const std::string& name) const;  // given by flag or input (not a default)
  // Given as a flag (argv, which every process on the machine can read), not as INPUT_<NAME>:
  // secret options refuse it.
  bool on_command_line(const std::string& name) const { return from_command_line_.count(name) > 0; }
  // How the user gave an option, for messages: "--url", "INPUT_URL" (as spelled), "" when not given.
  std::string given_as(const std::string& name) const {
    auto it = given_as_.find(name);
    return it == given_as_.end() ? "" : it->second;
  }
  std::string str(const std::string& name) const;  // value, default or ""
  std::optional<std::string> opt(const std::string& name) const;  // value or default, if any
  bool flag(const std::string& name) const;
  std::vector<std::string> list(const std::string& name) const;
  Millis duration(const std::string& name) const;
  std::optional<Millis> opt_duration(const std::string& name) const;
  long long integer(const std::string& name, long long min, long long max) const;
  double number(const std::string& name, double min, double max) const;
  const std::vector<std::string>& positionals() const { return positionals_; }

  // Parsing result, filled by parse_args.
  std::string command_;
  std::map<std::string, std::vector<std::string>> given_;
  std::map<std::string, std::string> defaults_;
  std::map<std::string, OptionKind> kinds_;
  std::vector<std::string> positionals_;
  std::set<std::string> from_command_line_;
  std::map<std::string, std::string> given_as_;
};

enum class Early { none, help, version, describe_inputs };

struct Parsed {
  Args args;
  Early early = Early::none;
  std::string text;  // help or description when early != none
};

// Flags win over INPUT_<NAME>, which wins over the default. Every problem is a usage error (exit 2)
// in one line, a missing required option too ("missing --url (or INPUT_URL)"), an unknown one with
// the closest name ("unknown option --timout; did you mean --timeout?"). `--name=value` and
// `--name value` are the same; a flag takes `--name` or `--name=true|false`. Inputs are trimmed, as
// @actions/core does; a boolean input is true/True/TRUE or false/False/FALSE. `<tool> help
// [COMMAND]` is the same as `<tool> [COMMAND] --help`. Secret options are registered (kit::Secret)
// before any message can show them. A plain function over its arguments: fuzz harnesses call it.
Parsed parse_args(const ToolSpec& spec, const std::vector<std::string>& argv, const Env& env);

std::string help_text(const ToolSpec& spec, const std::string& command);

}  // namespace kit
