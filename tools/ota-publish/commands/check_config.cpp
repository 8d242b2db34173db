// check-config: options -> the files' text -> ota::check_config -> annotations with line numbers.
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "ota-publish/eas_config.hpp"
#include "ota-publish/ota_publish.hpp"
#include "ota-publish/untrusted_text.hpp"
#include "kit/text.hpp"

namespace ota {
namespace {

constexpr size_t kMaxConfig = 16 << 20;

std::string read_config(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw kit::usage_error(shown(path, 200) + " is a directory, not a file");
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    bool exists = std::filesystem::exists(path, ec);
    throw kit::usage_error("cannot read " + shown(path, 200) + (exists ? " (permission denied?)" : ": no such file") +
                           "; run check-config in the Expo project, or name the files with --eas-json / --app-config");
  }
  // Read in pieces up to the cap: the file may be a pipe or grow while we read.
  std::string text;
  char buffer[65536];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    text.append(buffer, static_cast<size_t>(in.gcount()));
    if (text.size() > kMaxConfig) throw kit::usage_error(shown(path, 200) + " is larger than 16 MiB: not a config file");
  }
  return text;
}

}  // namespace

kit::Outcome run_check_config(kit::Context& ctx) {
  ConfigFiles files;
  files.eas_json_path = ctx.args.str("eas-json");
  files.eas_json = read_config(files.eas_json_path);
  if (auto app = ctx.args.opt("app-config"); app && !app->empty()) {
    files.app_config_path = *app;
  } else {
    std::filesystem::path dir = std::filesystem::path(files.eas_json_path).parent_path();
    for (const char* name : {"app.json", "app.config.json", "app.config.ts", "app.config.js", "app.config.mjs", "app.config.cjs"}) {
      std::error_code ec;
      auto candidate = dir / name;
      if (std::filesystem::is_regular_file(candidate, ec)) {
        files.app_config_path = candidate.string();
        break;
      }
    }
  }
  if (files.app_config_path) files.app_config = read_config(*files.app_config_path);

  std::vector<ProfileChannel> channels;
  auto findings = check_config(files, &channels);
  nlohmann::json resolved = nlohmann::json::object();
  for (const auto& c : channels) resolved[kit::valid_utf8(c.profile)] = c.channel ? nlohmann::json(kit::valid_utf8(*c.channel)) : nlohmann::json(nullptr);
  ctx.report.result("channels", resolved);
  int errors = 0, warnings = 0;
  nlohmann::json list = nlohmann::json::array();
  std::vector<std::vector<std::string>> rows;
  for (const auto& f : findings) {
    bool error = f.level == FindingLevel::error;
    (error ? errors : warnings)++;
    std::string message = kit::valid_utf8(f.message);
    ctx.report.annotate(error ? kit::Severity::error : kit::Severity::warning, message,
                        {.file = f.file, .line = f.line, .col = f.col, .title = "ota-publish check-config: " + std::string(rule_name(f.rule))});
    list.push_back({{"rule", rule_name(f.rule)}, {"level", error ? "error" : "warning"}, {"file", kit::valid_utf8(f.file)}, {"line", f.line},
                    {"message", message}});
    rows.push_back({error ? "error" : "warning", std::string(rule_name(f.rule)), kit::valid_utf8(f.file) + (f.line ? ":" + std::to_string(f.line) : ""), message});
  }
  ctx.report.result("findings", list);
  ctx.report.output("errors", std::to_string(errors));
  ctx.report.output("warnings", std::to_string(warnings));
  ctx.report.summary("### ota-publish check-config: " + std::to_string(errors) + " error(s), " + std::to_string(warnings) + " warning(s)\n\n" +
                     (rows.empty() ? std::string("No findings.\n") : kit::markdown_table({"level", "rule", "where", "finding"}, rows)));
  std::string checked = files.eas_json_path + (files.app_config_path ? " and " + *files.app_config_path : "");
  if (errors > 0)
    return {kit::Exit::negative, std::to_string(errors) + " error(s) in " + checked,
            "fix the findings above: each build profile needs its own channel, URLs and keys, and no secret belongs in EXPO_PUBLIC_*"};
  return {kit::Exit::ok, checked + ": no errors" + (warnings ? " (" + std::to_string(warnings) + " warning(s))" : "")};
}

}  // namespace ota
