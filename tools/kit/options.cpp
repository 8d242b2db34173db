#define CXXOPTS_VECTOR_DELIMITER '\0'  // repeatable flags are repeated, never comma-split
#include "kit/options.hpp"

#include <algorithm>
#include <cxxopts.hpp>
#include <nlohmann/json.hpp>
#include <sstream>

#include "kit/error.hpp"
#include "kit/secrets.hpp"

namespace kit {
namespace {

const std::vector<Option>& common_options() {
  static const std::vector<Option> options = {
      {"json", "print one JSON result object on stdout", "", OptionKind::flag},
      {"log-format", "log format on stderr: text or json", "text", OptionKind::value, "FORMAT"},
      {"verbose", "log debug details", "", OptionKind::flag},
      {"quiet", "log only warnings and errors", "", OptionKind::flag},
  };
  return options;
}

const Command* find_command(const ToolSpec& spec, const std::string& name) {
  for (const auto& c : spec.commands)
    if (c.name == name) return &c;
  return nullptr;
}

bool named_commands(const ToolSpec& spec) {
  return !spec.commands.empty() && !spec.commands.front().name.empty();
}

std::vector<Option> options_for(const ToolSpec& spec, const Command* cmd) {
  std::vector<Option> all = spec.options;
  if (cmd) all.insert(all.end(), cmd->options.begin(), cmd->options.end());
  all.insert(all.end(), common_options().begin(), common_options().end());
  return all;
}

std::string command_list(const ToolSpec& spec) {
  std::string out;
  for (const auto& c : spec.commands) out += (out.empty() ? "" : ", ") + c.name;
  return out;
}

bool parse_bool(const std::string& name, const std::string& text) {
  std::string v = text;
  std::transform(v.begin(), v.end(), v.begin(), ::tolower);
  if (v == "true" || v == "1" || v == "yes" || v == "on") return true;
  if (v == "false" || v == "0" || v == "no" || v == "off") return false;
  throw usage_error(input_env_name(name) + ": '" + text + "' is not a boolean (use true or false)");
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    auto first = line.find_first_not_of(" \t");
    if (first == std::string::npos) continue;
    out.push_back(line.substr(first, line.find_last_not_of(" \t") - first + 1));
  }
  return out;
}

std::string describe_inputs(const ToolSpec& spec, const Command* cmd) {
  nlohmann::json inputs = nlohmann::json::array();
  auto add = [&](const Option& o, bool required) {
    inputs.push_back({{"name", o.name},
                      {"description", o.help},
                      {"default", o.default_value},
                      {"required", required},
                      {"kind", o.kind == OptionKind::flag   ? "flag"
                               : o.kind == OptionKind::list ? "list"
                               : o.kind == OptionKind::positional ? "positional"
                                                                  : "value"}});
  };
  if (named_commands(spec)) add({"command", "one of: " + command_list(spec), "", OptionKind::value}, true);
  std::vector<const Command*> commands;
  if (cmd) commands.push_back(cmd);
  else for (const auto& c : spec.commands) commands.push_back(&c);
  std::vector<std::string> seen;
  auto add_once = [&](const Option& o, bool required) {
    if (std::find(seen.begin(), seen.end(), o.name) != seen.end()) return;
    seen.push_back(o.name);
    add(o, required);
  };
  // One action.yml serves every command, and GitHub's `required` cannot depend on the command:
  // an option required by one command only is not required when all commands are described.
  bool all_commands = named_commands(spec) && !cmd;
  for (const auto& o : spec.options) add_once(o, o.required);
  for (const auto* c : commands)
    for (const auto& o : c->options) add_once(o, o.required && !all_commands);
  for (const auto& o : common_options()) add_once(o, o.required);
  return inputs.dump(2);
}

}  // namespace

std::string input_env_name(const std::string& option_name) {
  std::string out = "INPUT_";
  for (char c : option_name) out += c == ' ' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string help_text(const ToolSpec& spec, const std::string& command) {
  const Command* cmd = find_command(spec, command);
  std::ostringstream out;
  if (named_commands(spec) && !cmd) {
    out << spec.name << " - " << spec.summary << "\n\nUsage: " << spec.name << " COMMAND [OPTIONS]\n\nCommands:\n";
    for (const auto& c : spec.commands) out << "  " << c.name << std::string(c.name.size() < 14 ? 14 - c.name.size() : 1, ' ') << c.summary << "\n";
    out << "\nRun '" << spec.name << " COMMAND --help' for a command's options.\n";
  } else {
    std::string usage = spec.name + (cmd && !cmd->name.empty() ? " " + cmd->name : "");
    out << usage << " - " << (cmd && !cmd->summary.empty() ? cmd->summary : spec.summary) << "\n\nUsage: " << usage;
    auto all = options_for(spec, cmd);
    for (const auto& o : all)
      if (o.kind == OptionKind::positional) out << " " << o.metavar;
    out << " [OPTIONS]\n\nOptions (each can also come from the environment as INPUT_<NAME>):\n";
    for (const auto& o : all) {
      std::string left = o.kind == OptionKind::positional ? "  " + o.metavar : "  --" + o.name;
      if (o.kind == OptionKind::value || o.kind == OptionKind::list) left += " " + o.metavar;
      out << left;
      out << std::string(left.size() < 34 ? 34 - left.size() : 2, ' ') << o.help;
      if (o.kind == OptionKind::list) out << " (repeatable)";
      if (o.required) out << " (required)";
      if (!o.default_value.empty()) out << " [default: " << o.default_value << "]";
      out << "\n";
    }
    out << "  --help                          show this help\n  --version                       print version and git commit\n";
  }
  out << "\nExit codes: 0 success, 1 the check said no, 2 usage error (nothing changed),\n"
         "            3 environment or remote error (nothing changed), 4 failed part-way: a human is needed.\n";
  if (!spec.examples.empty()) out << "\nExamples:\n" << spec.examples;
  return out.str();
}

Parsed parse_args(const ToolSpec& spec, const std::vector<std::string>& argv_in, const Env& env) {
  Parsed parsed;
  std::vector<std::string> argv = argv_in;
  if (argv.empty()) argv.push_back(spec.name);
  for (size_t i = 1; i < argv.size(); ++i) {
    if (argv[i] == "--") break;
    if (argv[i] == "--version") {
      parsed.early = Early::version;
      return parsed;
    }
  }

  std::string command;
  if (named_commands(spec)) {
    if (argv.size() > 1 && !argv[1].empty() && argv[1][0] != '-') {
      command = argv[1];
      argv.erase(argv.begin() + 1);
    } else if (auto c = env.get("INPUT_COMMAND")) {
      command = *c;
    }
  }
  const Command* cmd = named_commands(spec) ? find_command(spec, command) : (spec.commands.empty() ? nullptr : &spec.commands.front());
  bool wants_help = std::find(argv.begin(), argv.end(), "--help") != argv.end() ||
                    std::find(argv.begin(), argv.end(), "-h") != argv.end();
  bool wants_describe = std::find(argv.begin(), argv.end(), "--describe-inputs") != argv.end();
  if (wants_help) {
    parsed.early = Early::help;
    parsed.text = help_text(spec, command);
    return parsed;
  }
  if (wants_describe) {
    parsed.early = Early::describe_inputs;
    parsed.text = describe_inputs(spec, cmd);
    return parsed;
  }
  if (named_commands(spec) && !cmd) {
    if (command.empty()) throw usage_error("missing command (one of: " + command_list(spec) + ")");
    throw usage_error("unknown command '" + command + "' (one of: " + command_list(spec) + ")");
  }

  auto all = options_for(spec, cmd);
  cxxopts::Options opts(spec.name, spec.summary);
  auto adder = opts.add_options();
  std::vector<const Option*> positional_specs;
  for (const auto& o : all) {
    if (o.kind == OptionKind::flag) adder(o.name, o.help, cxxopts::value<bool>());
    else if (o.kind == OptionKind::positional) positional_specs.push_back(&o);
    else adder(o.name, o.help, cxxopts::value<std::vector<std::string>>());
  }
  adder("yonima-positional", "", cxxopts::value<std::vector<std::string>>());
  opts.parse_positional({"yonima-positional"});

  std::vector<char*> cargv;
  for (auto& a : argv) cargv.push_back(a.data());
  Args& args = parsed.args;
  args.command_ = command;
  try {
    auto result = opts.parse(static_cast<int>(cargv.size()), cargv.data());
    for (const auto& o : all) {
      args.kinds_[o.name] = o.kind;
      if (!o.default_value.empty()) args.defaults_[o.name] = o.default_value;
      if (o.kind == OptionKind::positional) continue;
      if (!result.count(o.name)) continue;
      if (o.kind == OptionKind::flag) {
        args.given_[o.name] = {result[o.name].as<bool>() ? "true" : "false"};
      } else {
        auto values = result[o.name].as<std::vector<std::string>>();
        if (o.kind == OptionKind::value && values.size() > 1)
          throw usage_error("--" + o.name + " given more than once");
        args.given_[o.name] = values;
      }
    }
    if (result.count("yonima-positional"))
      args.positionals_ = result["yonima-positional"].as<std::vector<std::string>>();
  } catch (const cxxopts::exceptions::exception& e) {
    std::string what = e.what();
    throw usage_error(what + " (see '" + spec.name + (command.empty() ? "" : " " + command) + " --help')");
  }

  if (args.positionals_.size() > positional_specs.size()) {
    throw usage_error("unexpected argument '" + args.positionals_[positional_specs.size()] + "' (see '" + spec.name +
                      (command.empty() ? "" : " " + command) + " --help')");
  }
  for (size_t i = 0; i < positional_specs.size(); ++i) {
    const auto& o = *positional_specs[i];
    if (i < args.positionals_.size()) args.given_[o.name] = {args.positionals_[i]};
  }

  // GitHub Actions inputs fill whatever the command line left unset.
  for (const auto& o : all) {
    if (args.given_.count(o.name)) continue;
    auto v = env.get(input_env_name(o.name));
    if (!v) continue;
    if (o.kind == OptionKind::flag) args.given_[o.name] = {parse_bool(o.name, *v) ? "true" : "false"};
    else if (o.kind == OptionKind::list) args.given_[o.name] = split_lines(*v);
    else args.given_[o.name] = {*v};
  }
  for (const auto& o : all)
    if (o.secret && args.given_.count(o.name))
      for (const auto& v : args.given_[o.name]) secrets().add(v);
  // A required option left unset (a blank input included) is named the way the user can give it.
  for (const auto& o : all) {
    if (!o.required || !o.default_value.empty()) continue;
    auto it = args.given_.find(o.name);
    if (it != args.given_.end() && !it->second.empty()) continue;
    std::string how = o.kind == OptionKind::positional ? o.metavar : "--" + o.name;
    throw usage_error("missing " + how + " (or " + input_env_name(o.name) + ")", how + ": " + o.help);
  }
  return parsed;
}

bool Args::has(const std::string& name) const { return given_.count(name) > 0; }

std::optional<std::string> Args::opt(const std::string& name) const {
  auto it = given_.find(name);
  if (it != given_.end() && !it->second.empty()) return it->second.back();
  auto d = defaults_.find(name);
  if (d != defaults_.end()) return d->second;
  return std::nullopt;
}

std::string Args::str(const std::string& name) const { return opt(name).value_or(""); }

bool Args::flag(const std::string& name) const { return str(name) == "true"; }

std::vector<std::string> Args::list(const std::string& name) const {
  auto it = given_.find(name);
  if (it != given_.end()) return it->second;
  auto d = defaults_.find(name);
  if (d != defaults_.end()) return {d->second};
  return {};
}

Millis Args::duration(const std::string& name) const { return parse_duration(str(name), "--" + name); }

std::optional<Millis> Args::opt_duration(const std::string& name) const {
  auto v = opt(name);
  if (!v) return std::nullopt;
  return parse_duration(*v, "--" + name);
}

long long Args::integer(const std::string& name, long long min, long long max) const {
  std::string v = str(name);
  size_t used = 0;
  long long n = 0;
  try {
    n = std::stoll(v, &used);
  } catch (...) {
    used = 0;
  }
  if (v.empty() || used != v.size())
    throw usage_error("--" + name + ": '" + v + "' is not a whole number");
  if (n < min || n > max)
    throw usage_error("--" + name + ": " + v + " is out of range (" + std::to_string(min) + ".." + std::to_string(max) + ")");
  return n;
}

double Args::number(const std::string& name, double min, double max) const {
  std::string v = str(name);
  size_t used = 0;
  double n = 0;
  try {
    n = std::stod(v, &used);
  } catch (...) {
    used = 0;
  }
  if (v.empty() || used != v.size()) throw usage_error("--" + name + ": '" + v + "' is not a number");
  if (n < min || n > max) {
    std::ostringstream r;
    r << "--" << name << ": " << v << " is out of range (" << min << ".." << max << ")";
    throw usage_error(r.str());
  }
  return n;
}

}  // namespace kit
