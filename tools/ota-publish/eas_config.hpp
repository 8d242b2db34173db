#pragma once
// check-config: reads eas.json (JSON5, as eas-cli accepts it) and the app config, and finds what
// lets one build profile's updates or settings leak into another's. Pure: text in, findings out.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ota {

enum class ConfigRule {
  malformed,                // eas.json / app.json is not valid JSON5
  missing_profile,          // no development, preview or production build profile
  missing_channel,          // a main build profile has no channel: its builds take no OTA updates, or the wrong ones
  invalid_channel,          // a channel name eas.json's schema refuses
  shared_channel,           // production shares a channel with another profile (or development with preview)
  shared_value,             // an API URL or key variable has the same value in production and another profile
  shared_environment,       // production uses the same EAS environment as another profile
  public_secret,            // a secret in an EXPO_PUBLIC_* variable: it ships inside the app bundle
  committed_secret,         // a secret-looking value committed in eas.json
  missing_runtime_version,  // no runtimeVersion (policy) in the app config
  bad_extends,              // extends a profile that does not exist, or a cycle
  missing_owner,            // a projectId without "owner": eas refuses robot tokens (CI) for such a project
  duplicate_key,            // a key written twice in one object: eas keeps the last, a reviewer reads the first
};
std::string_view rule_name(ConfigRule r);

enum class FindingLevel { error, warning };

struct ConfigFinding {
  ConfigRule rule;
  FindingLevel level = FindingLevel::error;
  std::string file;
  int line = 0;
  int col = 0;
  std::string message;  // never contains a secret value
};

struct ConfigFiles {
  std::string eas_json_path = "eas.json";
  std::string eas_json;
  std::optional<std::string> app_config_path;  // app.json, app.config.json, app.config.js, app.config.ts
  std::optional<std::string> app_config;
};

struct ProfileChannel {
  std::string profile;
  std::optional<std::string> channel;      // after `extends`, as eas resolves it
  std::optional<std::string> environment;  // the EAS environment its builds use, after `extends`
};

// `channels` (optional) receives each build profile's resolved channel and EAS environment (the
// report, publish's channel check and its default --environment).
std::vector<ConfigFinding> check_config(const ConfigFiles& files, std::vector<ProfileChannel>* channels = nullptr);

// Why `value` looks like a secret ("a Stripe secret key (sk_live_...)"), or empty. Exposed for tests.
std::string secret_kind(std::string_view name, std::string_view value);

}  // namespace ota
