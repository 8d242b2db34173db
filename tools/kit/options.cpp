// The command line is read here rather than by cxxopts: cxxopts 3.1 runs std::regex over every
// argument, which recurses once per character and crashed every tool on `--name=VALUE` past ~32 KB,
// and its messages ("Option ‘timout’ does not exist") are not the tools' words. Once `--name=value`
// is split and names are checked against the declaration (for "did you mean"), nothing is left for
// an option library to do.
#include "kit/options.hpp"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <sstream>

#include "kit/error.hpp"
#include "kit/secrets.hpp"
#include "kit/text.hpp"

namespace kit {
namespace {

const std::vector<Option>& common_options() {
  static const std::vector<Option> options = {
      {.name = "json", .help = "print one JSON result object on stdout", .kind = OptionKind::flag},
      {.name = "log-format", .help = "log format on stderr: text or json", .default_value = "text", .metavar = "FORMAT"},
      {.name = "verbose", .help = "log debug details", .kind = OptionKind::flag},
      {.name = "quiet", .help = "log only warnings and errors", .kind = OptionKind::flag},
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

// The declared type, or the one the metavar promises in --help (see ValueType).
ValueType value_type(const Option& o) {
  if (o.type != ValueType::text || o.kind != OptionKind::value) return o.type;
  if (o.metavar == "N") return ValueType::integer;
  if (o.metavar == "DURATION") return ValueType::duration;
  return ValueType::text;
}

std::vector<std::string> option_names(const std::vector<Option>& all) {
  std::vector<std::string> names;
  for (const auto& o : all)
    if (o.kind != OptionKind::positional) names.push_back(o.name);
  names.push_back("help");
  names.push_back("version");
  return names;
}

Error unknown_option(const ToolSpec& spec, const std::string& command, std::string_view arg, const std::vector<Option>& all) {
  std::string name(arg.substr(0, arg.find('=')));
  std::string bare = name.substr(name.find_first_not_of('-') == std::string::npos ? name.size() : name.find_first_not_of('-'));
  std::string message = "unknown option " + quote_value(name);
  if (auto near = closest_match(bare, option_names(all))) message += "; did you mean --" + *near + "?";
  std::string help = spec.name + (command.empty() ? "" : " " + command) + " --help";
  return usage_error(message, "see '" + help + "' for the options");
}

Error unknown_command(const ToolSpec& spec, const std::string& command) {
  std::vector<std::string> names;
  for (const auto& c : spec.commands) names.push_back(c.name);
  std::string message = "unknown command '" + quote_value(command) + "'";
  if (auto near = closest_match(command, names)) message += "; did you mean " + *near + "?";
  return usage_error(message + " (one of: " + command_list(spec) + ")");
}

// The examples for one command: its own, else the tool's example lines that run it (with their
// continuation lines).
std::string examples_for(const ToolSpec& spec, const Command* cmd) {
  if (!cmd) return spec.examples;
  if (!cmd->examples.empty()) return cmd->examples;
  if (cmd->name.empty()) return spec.examples;
  std::string out;
  std::istringstream in(spec.examples);
  bool taking = false;
  std::string invocation = spec.name + " " + cmd->name;
  for (std::string line; std::getline(in, line);) {
    bool continuation = taking;
    if (!continuation) {
      auto at = line.find(invocation);
      taking = at != std::string::npos &&
               (at + invocation.size() == line.size() || line[at + invocation.size()] == ' ');
    }
    if (taking) out += line + "\n";
    taking = taking && !line.empty() && line.back() == '\\';
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
  // Each input once, with what every command that takes it says of it: `to` is the tags to move
  // for promote and the digest to go back to for rollback, and one action.yml serves both.
  struct Use {
    std::string command, help, default_value;
  };
  std::vector<std::string> seen;
  std::map<std::string, std::vector<Use>> uses;
  auto add_once = [&](const Option& o, bool required, const std::string& command) {
    uses[o.name].push_back({command, o.help, o.default_value});
    if (std::find(seen.begin(), seen.end(), o.name) != seen.end()) return;
    seen.push_back(o.name);
    add(o, required);
  };
  // One action.yml serves every command, and GitHub's `required` cannot depend on the command:
  // an option required by one command only is not required when all commands are described.
  bool all_commands = named_commands(spec) && !cmd;
  for (const auto& o : spec.options) add_once(o, o.required, "");
  for (const auto* c : commands)
    for (const auto& o : c->options) add_once(o, o.required && !all_commands, c->name);
  for (const auto& o : common_options()) add_once(o, o.required, "");
  for (auto& input : inputs) {
    const auto& u = uses[input["name"].get<std::string>()];
    bool same_help = std::all_of(u.begin(), u.end(), [&](const Use& x) { return x.help == u.front().help; });
    bool same_default = std::all_of(u.begin(), u.end(), [&](const Use& x) { return x.default_value == u.front().default_value; });
    if (same_help && same_default) continue;
    // A default that differs by command cannot be the input's: GitHub would pass it to every
    // command. Left blank, each command applies its own (a blank input counts as unset).
    std::string text;
    for (const auto& x : u)
      text += (text.empty() ? "" : "; ") + ("[" + x.command + "] " + x.help) +
              (same_default || x.default_value.empty() ? "" : " (default: " + x.default_value + ")");
    input["description"] = text;
    if (!same_default) input["default"] = "";
  }
  return inputs.dump(2);
}

// A secret URL (a database URL) is masked by its credentials only, so the logs can still say which
// host and database were used; one whose credentials cannot be told apart for sure (an unencoded
// '@' or '#' in the password) is masked whole.
void register_secret_value(const std::string& v) {
  size_t scheme_end = v.find("://");
  bool url = scheme_end != std::string::npos && scheme_end > 0 &&
             std::all_of(v.begin(), v.begin() + static_cast<long>(scheme_end), [](unsigned char c) { return std::isalnum(c) || c == '+' || c == '-' || c == '.'; });
  bool clear_parts = std::count(v.begin(), v.end(), '@') <= 1 && v.find('#') == std::string::npos;
  if (url && clear_parts) learn_url_secret(v);
  else Secret{v};
}

}  // namespace

std::string input_env_name(const std::string& option_name) {
  std::string out = "INPUT_" + upper(option_name);
  std::replace(out.begin(), out.end(), ' ', '_');
  return out;
}

std::string help_text(const ToolSpec& spec, const std::string& command) {
  const Command* cmd = find_command(spec, command);
  std::ostringstream out;
  if (named_commands(spec) && !cmd) {
    out << spec.name << " - " << spec.summary << "\n\nUsage: " << spec.name << " COMMAND [OPTIONS]\n\nCommands:\n";
    for (const auto& c : spec.commands) out << "  " << c.name << std::string(c.name.size() < 14 ? 14 - c.name.size() : 1, ' ') << c.summary << "\n";
    out << "\nRun '" << spec.name << " help COMMAND' (or '" << spec.name << " COMMAND --help') for a command's options and examples.\n";
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
         "            3 environment or remote error (nothing changed), 4 failed part-way: a human is needed,\n"
         "            128+N killed by signal N (a signal that reaches a running child goes to it instead).\n";
  std::string examples = named_commands(spec) && !cmd ? spec.examples : examples_for(spec, cmd);
  if (!examples.empty()) out << "\nExamples:\n" << examples;
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

  // `<tool> help [COMMAND]`, unless a tool declares a command of that name.
  if (argv.size() > 1 && argv[1] == "help" && !find_command(spec, "help")) {
    std::string topic = argv.size() > 2 ? argv[2] : "";
    if (!topic.empty() && named_commands(spec) && !find_command(spec, topic)) throw unknown_command(spec, topic);
    parsed.early = Early::help;
    parsed.text = help_text(spec, named_commands(spec) ? topic : "");
    return parsed;
  }

  std::string command;
  if (named_commands(spec)) {
    if (argv.size() > 1 && !argv[1].empty() && argv[1][0] != '-') {
      command = argv[1];
      argv.erase(argv.begin() + 1);
    } else if (auto c = env.get("INPUT_COMMAND")) {
      command = trim(*c);
    }
  }
  const Command* cmd = named_commands(spec) ? find_command(spec, command) : (spec.commands.empty() ? nullptr : &spec.commands.front());
  auto before_dashes = [&](std::string_view word) {
    for (size_t i = 1; i < argv.size() && argv[i] != "--"; ++i)
      if (argv[i] == word) return true;
    return false;
  };
  if (before_dashes("--help") || before_dashes("-h")) {
    parsed.early = Early::help;
    parsed.text = help_text(spec, command);
    return parsed;
  }
  if (before_dashes("--describe-inputs")) {
    parsed.early = Early::describe_inputs;
    parsed.text = describe_inputs(spec, cmd);
    return parsed;
  }
  if (named_commands(spec) && !cmd) {
    if (command.empty()) throw usage_error("missing command (one of: " + command_list(spec) + ")");
    throw unknown_command(spec, command);
  }

  auto all = options_for(spec, cmd);
  std::map<std::string, const Option*> by_name;
  std::vector<const Option*> positional_specs;
  for (const auto& o : all) {
    if (o.kind == OptionKind::positional) positional_specs.push_back(&o);
    else by_name.emplace(o.name, &o);
  }

  Args& args = parsed.args;
  args.command_ = command;
  for (const auto& o : all) {
    args.kinds_[o.name] = o.kind;
    if (!o.default_value.empty()) args.defaults_[o.name] = o.default_value;
  }
  std::string where = spec.name + (command.empty() ? "" : " " + command);
  for (size_t i = 1; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (a == "--") {
      args.positionals_.insert(args.positionals_.end(), argv.begin() + static_cast<long>(i) + 1, argv.end());
      break;
    }
    if (a.size() > 2 && a.compare(0, 2, "--") == 0) {
      size_t eq = a.find('=');
      std::string name = a.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
      auto it = by_name.find(name);
      if (it == by_name.end()) throw unknown_option(spec, command, a, all);
      const Option& o = *it->second;
      if (o.kind == OptionKind::flag) {
        bool on = true;
        if (eq != std::string::npos) {
          auto b = parse_bool(std::string_view(a).substr(eq + 1));
          if (!b) throw usage_error("--" + name + ": '" + quote_value(std::string_view(a).substr(eq + 1)) + "' is not a boolean (use true or false)");
          on = *b;
        }
        args.given_[o.name] = {on ? "true" : "false"};
        continue;
      }
      std::string value;
      if (eq != std::string::npos) {
        value = a.substr(eq + 1);
      } else {
        if (i + 1 >= argv.size()) throw usage_error("--" + name + " needs a value (" + o.metavar + ")", "see '" + where + " --help'");
        value = argv[++i];
      }
      auto& values = args.given_[o.name];
      values.push_back(std::move(value));
      if (o.kind == OptionKind::value && values.size() > 1) throw usage_error("--" + o.name + " given more than once");
      continue;
    }
    if (a.size() > 1 && a[0] == '-') throw unknown_option(spec, command, a, all);
    args.positionals_.push_back(a);
  }

  if (args.positionals_.size() > positional_specs.size()) {
    throw usage_error("unexpected argument '" + quote_value(args.positionals_[positional_specs.size()]) + "' (see '" + where + " --help')");
  }
  for (size_t i = 0; i < positional_specs.size(); ++i) {
    const auto& o = *positional_specs[i];
    if (i < args.positionals_.size()) args.given_[o.name] = {args.positionals_[i]};
  }

  // GitHub Actions inputs fill whatever the command line left unset; like @actions/core, values
  // are trimmed and a blank one counts as unset.
  std::map<std::string, std::string>& source = args.given_as_;  // how the user gave each option, for messages
  for (const auto& o : all) {
    if (args.given_.count(o.name)) {
      source[o.name] = o.kind == OptionKind::positional ? o.metavar : "--" + o.name;
      args.from_command_line_.insert(o.name);
      continue;
    }
    // GitHub keeps the input's hyphens (INPUT_DRY-RUN), which a shell cannot export: by hand,
    // people write INPUT_DRY_RUN, and a safety flag must not be lost to that spelling.
    std::string name = input_env_name(o.name);
    auto raw = env.get(name);
    if (!raw && name.find('-') != std::string::npos) {
      std::replace(name.begin(), name.end(), '-', '_');
      raw = env.get(name);
    }
    if (!raw) continue;
    std::string v = trim(*raw);
    if (v.empty()) continue;
    source[o.name] = name;
    if (o.kind == OptionKind::flag) {
      auto b = parse_bool(v);
      if (!b) throw usage_error(name + ": '" + quote_value(v) + "' is not a boolean (use true or false)");
      args.given_[o.name] = {*b ? "true" : "false"};
    } else if (o.kind == OptionKind::list) {
      args.given_[o.name] = split_lines(v);
    } else {
      args.given_[o.name] = {v};
    }
  }
  for (const auto& o : all)
    if (o.secret && args.given_.count(o.name))
      for (const auto& v : args.given_[o.name]) register_secret_value(v);
  // A required option left unset (a blank input included) is named the way the user can give it.
  for (const auto& o : all) {
    if (!o.required || !o.default_value.empty()) continue;
    auto it = args.given_.find(o.name);
    if (it != args.given_.end() && !it->second.empty()) continue;
    std::string how = o.kind == OptionKind::positional ? o.metavar : "--" + o.name;
    throw usage_error("missing " + how + " (or " + input_env_name(o.name) + ")", how + ": " + o.help);
  }
  // Typed values are checked now, so a bad one is a usage error before anything runs.
  for (const auto& o : all) {
    ValueType type = value_type(o);
    if (type == ValueType::text) continue;
    auto it = args.given_.find(o.name);
    if (it == args.given_.end()) continue;
    const std::string& how = source[o.name];
    for (const auto& v : it->second) {
      if (type == ValueType::integer && !parse_integer(v))
        throw usage_error(how + ": '" + quote_value(v) + "' is not a whole number");
      if (type == ValueType::number && !parse_number(v))
        throw usage_error(how + ": '" + quote_value(v) + "' is not a number");
      if (type == ValueType::duration) parse_duration(v, how);
    }
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
  auto n = parse_integer(v);
  if (!n) throw usage_error("--" + name + ": '" + quote_value(v) + "' is not a whole number");
  if (*n < min || *n > max)
    throw usage_error("--" + name + ": " + v + " is out of range (" + std::to_string(min) + ".." + std::to_string(max) + ")");
  return *n;
}

double Args::number(const std::string& name, double min, double max) const {
  std::string v = str(name);
  auto n = parse_number(v);
  if (!n) throw usage_error("--" + name + ": '" + quote_value(v) + "' is not a number");
  if (*n < min || *n > max) {
    std::ostringstream r;
    r << "--" << name << ": " << v << " is out of range (" << min << ".." << max << ")";
    throw usage_error(r.str());
  }
  return *n;
}

}  // namespace kit
