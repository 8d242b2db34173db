#include "ota-publish/commands/common.hpp"

#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "kit/log.hpp"
#include "kit/process.hpp"
#include "kit/secrets.hpp"
#include "kit/text.hpp"
#include "ota-publish/untrusted_text.hpp"

namespace ota::commands {

EasSetup eas_setup(const kit::Context& ctx) {
  EasSetup setup;
  setup.program = kit::split_command(ctx.args.str("eas"));
  if (setup.program.empty()) throw kit::usage_error("--eas is empty (give the eas command, e.g. eas or 'npx --yes eas-cli@24.8.0')");
  setup.project_dir = ctx.args.str("project-dir");
  std::error_code ec;
  if (!std::filesystem::is_directory(setup.project_dir, ec))
    throw kit::usage_error("--project-dir: '" + shown(setup.project_dir, 200) + "' is not a directory (the Expo project eas runs in)");
  setup.timeout = ctx.args.duration("timeout");
  if (setup.timeout.count() <= 0) throw kit::usage_error("--timeout must be longer than 0s");
  if (ctx.args.on_command_line("expo-token"))
    throw kit::usage_error("--expo-token on the command line is visible to every process on the machine; refused",
                           "set EXPO_TOKEN in the environment, or the action's expo-token input");
  // The environment's token is inherited by eas: masked in everything we print, even when the
  // input's token replaces it for eas.
  auto env_token = ctx.env.get("EXPO_TOKEN");
  bool in_env = env_token && !env_token->empty();
  if (in_env) kit::secrets().add(*env_token);
  if (auto token = ctx.args.opt("expo-token"); token && !token->empty()) {
    setup.env["EXPO_TOKEN"] = *token;  // the child's environment; kit registered it as a secret
  } else if (!in_env) {
    setup.token = false;
    if (ctx.env.get("CI")) kit::log::warn("no EXPO_TOKEN in the environment (nor --expo-token): eas will not be logged in");
  }
  return setup;
}

std::string channel_arg(const kit::Args& args) {
  std::string c = args.str("channel");
  if (c.empty()) throw kit::usage_error("missing --channel (or INPUT_CHANNEL)", "--channel: the EAS channel, e.g. preview or production");
  if (auto problem = name_problem("--channel", c); !problem.empty()) throw kit::usage_error(problem);
  return c;
}

Platform platform_arg(const kit::Args& args) {
  auto p = parse_platform(args.str("platform"));
  if (!p) throw kit::usage_error("--platform: '" + shown(args.str("platform"), 60) + "' is not a platform (use all, ios or android)");
  return *p;
}

std::string group_arg(const kit::Args& args, const std::string& name) {
  std::string g = args.str(name);
  if (!is_uuid(g)) throw kit::usage_error("--" + name + ": '" + shown(g, 60) + "' is not an update group id (a UUID, as eas update:list shows)");
  return g;
}

std::optional<std::string> text_arg(const kit::Args& args, const std::string& name) {
  auto v = args.opt(name);
  if (!v || v->empty()) return std::nullopt;
  return v;
}

void show_commands(kit::Context& ctx, const std::string& title, const std::vector<std::string>& program, const std::vector<EasCall>& calls) {
  nlohmann::json list = nlohmann::json::array();
  std::string md = "**" + title + "**\n\n```sh\n";
  for (const auto& c : calls) {
    std::string line = shell_line(program, c);
    list.push_back({{"command", kit::valid_utf8(line)}, {"purpose", kit::valid_utf8(c.purpose)}, {"changes", c.effect == Effect::write}});
    md += kit::valid_utf8(line) + "\n";
    if (!ctx.report.json_mode()) std::cout << kit::secrets().redact(shown(line, 4000)) << "\n";
  }
  md += "```\n";
  ctx.report.summary(md);
  ctx.report.result("eas_commands", list);
}

}  // namespace ota::commands
