#include "ota-publish/ota_publish.hpp"

namespace ota {

using kit::OptionKind;

namespace {

// What every command that runs eas takes.
std::vector<kit::Option> with_eas(std::vector<kit::Option> options) {
  options.push_back({.name = "project-dir", .help = "the Expo project (app.json / app.config.*, eas.json); eas runs there",
                     .default_value = ".", .metavar = "DIR"});
  options.push_back({.name = "eas", .help = "how to run eas-cli 24.8: a path, or a command line such as 'npx --yes eas-cli@24.8.0'",
                     .default_value = "eas", .metavar = "COMMAND"});
  options.push_back({.name = "expo-token", .help = "Expo access token, as an input only (else EXPO_TOKEN); handed to eas in its environment, never on a command line",
                     .metavar = "TOKEN", .secret = true});
  options.push_back({.name = "timeout", .help = "deadline of each eas command (a stuck one is stopped)", .default_value = "15m",
                     .metavar = "DURATION"});
  options.push_back({.name = "dry-run", .help = "print the eas commands that would change something, and change nothing",
                     .kind = OptionKind::flag});
  return options;
}

// One description for every command: action.yml shows one input for all of them.
kit::Option channel() {
  // Required by every command that takes it except `rollout --group`: checked by the commands.
  return {.name = "channel", .help = "EAS channel: where publish publishes, what rollback rolls back, whose rollout rollout steers",
          .metavar = "CHANNEL"};
}
kit::Option platform() {
  return {.name = "platform", .help = "all, ios or android", .default_value = "all", .metavar = "PLATFORM"};
}
kit::Option runtime_version(const char* help) { return {.name = "runtime-version", .help = help, .metavar = "VERSION"}; }

}  // namespace

const kit::ToolSpec& spec() {
  static const kit::ToolSpec s{
      "ota-publish",
      "publish Expo EAS updates per channel, roll a channel back (verified), steer rollouts, check eas.json",
      {},
      {
          {"publish", "publish an OTA update to a channel (eas update), with its ids, links and QR code",
           with_eas({channel(),
                     {.name = "message", .help = "update message (default: the commit subject and short SHA from GITHUB_*)", .metavar = "TEXT"},
                     platform(),
                     {.name = "environment", .help = "EAS environment for server-side variables (required by eas for SDK 55+); default: the environment of eas.json's build profile on --channel, and another one is refused",
                      .metavar = "ENV"},
                     {.name = "rollout-percentage", .help = "share of users (1-100) that get the update at first", .metavar = "N"},
                     {.name = "input-dir", .help = "publish this `expo export` output instead of bundling (eas update --skip-bundler)",
                      .metavar = "DIR"},
                     {.name = "project-id", .help = "EAS project id for the preview link and QR code (default: app.json extra.eas.projectId)",
                      .metavar = "UUID"},
                     {.name = "any-channel", .help = "publish even to a channel no build profile in eas.json uses (eas creates a missing "
                                                     "channel: a misspelt one would publish to no build)",
                      .kind = OptionKind::flag}}),
           run_publish},
          {"rollback", "roll a channel back to the group before the one it serves (or a given group, or the embedded update), verified",
           with_eas({channel(),
                     {.name = "to-group", .help = "republish this earlier group instead of the previous one", .metavar = "GROUP"},
                     {.name = "to-embedded", .help = "roll back to the update embedded in the build", .kind = OptionKind::flag},
                     runtime_version("runtime version to roll back (default: that of the channel's newest update)"),
                     {.name = "expect-current", .help = "refuse (exit 1, nothing changed) unless the channel serves this group now",
                      .metavar = "GROUP"},
                     {.name = "message", .help = "message of the rollback update (default: says what was rolled back)", .metavar = "TEXT"},
                     platform()}),
           run_rollback},
          {"rollout", "send a share of a channel's users to another branch, change the share, or end the rollout",
           with_eas({channel(),
                     {.name = "percent", .help = "share of users (0-100) sent to the rolled-out branch", .metavar = "N"},
                     {.name = "end", .help = "end the rollout (see --outcome)", .kind = OptionKind::flag},
                     {.name = "outcome", .help = "how --end ends it: revert (everyone back on the old branch) or republish-and-revert "
                                                 "(the new update republished for everyone)",
                      .default_value = "revert", .metavar = "OUTCOME"},
                     {.name = "branch", .help = "branch to roll out (to start a rollout)", .metavar = "BRANCH"},
                     runtime_version("runtime version whose builds take part (to start a rollout)"),
                     {.name = "group", .help = "steer the rollout of this update group (published with --rollout-percentage) instead of a channel's",
                      .metavar = "GROUP"}}),
           run_rollout},
          {"check-config", "check eas.json and the app config: own channel per profile, no shared URLs or keys, no public secrets, runtimeVersion set",
           {{.name = "eas-json", .help = "eas.json to check (JSON5 with comments, as eas-cli reads it)", .default_value = "eas.json",
             .metavar = "FILE"},
            {.name = "app-config", .help = "app config (default: app.json, app.config.json, .ts or .js beside eas.json)", .metavar = "FILE"}},
           run_check_config},
          {"plan", "what the mobile pipeline does for a git ref: development build, preview update, production release, or nothing",
           {{.name = "ref", .help = "git ref (refs/heads/NAME, refs/tags/NAME or a bare name; default: GITHUB_REF)", .metavar = "REF"},
            {.name = "rule", .help = "mapping rule KIND:PATTERN=ACTION[:TARGET] replacing the defaults (first match wins)", .kind = OptionKind::list,
             .metavar = "RULE"}},
           run_plan},
      },
      R"(  ota-publish publish --channel preview --platform all
  ota-publish publish --channel production --message "fix: crash on login" --rollout-percentage 10
  ota-publish rollback --channel production --expect-current 0f5c...-group-id
  ota-publish rollback --channel production --to-embedded --runtime-version 1.4.0
  ota-publish rollback --channel production --dry-run
  ota-publish rollout --channel production --percent 50 --branch production-1.5 --runtime-version 1.5.0
  ota-publish rollout --channel production --end --outcome republish-and-revert
  ota-publish rollout --group 0f5c...-group-id --percent 50
  ota-publish check-config --eas-json eas.json --app-config app.json
  ota-publish plan --ref refs/tags/v1.5.0
)"};
  return s;
}

}  // namespace ota
