// publish: options -> PublishArgs -> ota::publish (eas update) -> outputs, summary with QR code.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "kit/log.hpp"
#include "kit/text.hpp"
#include "ota-publish/commands/common.hpp"
#include "ota-publish/eas_config.hpp"
#include "ota-publish/json5.hpp"
#include "ota-publish/ota_publish.hpp"
#include "ota-publish/publish.hpp"
#include "ota-publish/untrusted_text.hpp"

namespace ota {
namespace {

std::string read_small_file(const std::string& path, size_t cap = 8 << 20) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::string text;
  char buffer[65536];
  while (text.size() < cap && (in.read(buffer, sizeof buffer) || in.gcount() > 0)) text.append(buffer, static_cast<size_t>(in.gcount()));
  if (text.size() > cap) text.resize(cap);
  return text;
}

// app.json's expo.extra.eas.projectId, when the project has one (app.config.* is code: not read).
std::string project_id_from(const std::string& dir) {
  auto parsed = json5::parse(read_small_file(dir + "/app.json"));
  if (!parsed.value) return {};
  const json5::Value* v = &*parsed.value;
  if (const auto* expo = v->get("expo"); expo && expo->is_object()) v = expo;
  for (const char* key : {"extra", "eas", "projectId"}) {
    v = v->is_object() ? v->get(key) : nullptr;
    if (!v) return {};
  }
  return v->is_string() && is_uuid(v->text) ? v->text : std::string();
}

// eas.json's build profiles (extends resolved), or nothing when the project has no eas.json (eas
// then decides). One that is there but unreadable is refused: taken as no profiles, it would
// switch off the channel check and the environment below without a word.
std::optional<std::vector<ProfileChannel>> build_profiles(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::file_type type = fs::status(path, ec).type();
  if (type == fs::file_type::not_found) return std::nullopt;
  auto unreadable = [&](const std::string& problem) {
    return kit::usage_error(problem + "; publish checks --channel and --environment against its build profiles, so nothing changed (run " +
                            "`ota-publish check-config --eas-json " + shown(path, 200) + "` to see the problem, fix it, then publish again)");
  };
  if (type != fs::file_type::regular)
    throw unreadable(shown(path, 200) + " cannot be read: " + (ec ? ec.message() : std::string("it is not a file")));
  if (!std::ifstream(path, std::ios::binary)) throw unreadable(shown(path, 200) + " cannot be read (permission denied?)");
  std::vector<ProfileChannel> profiles;
  for (const auto& f : check_config({.eas_json_path = path, .eas_json = read_small_file(path)}, &profiles))
    if (f.rule == ConfigRule::malformed)
      throw unreadable(shown(f.message, 400) + " at line " + std::to_string(f.line) + ", column " + std::to_string(f.col));
  return profiles;
}

// eas update creates a channel that does not exist (and a branch for it), so a misspelt --channel
// publishes an update that no build ever receives. The build profiles in eas.json name the
// channels builds listen on: refuse any other unless --any-channel.
void check_channel_is_built(const std::string& path, const std::vector<ProfileChannel>& profiles, const std::string& channel) {
  std::vector<std::string> known;
  for (const auto& p : profiles)
    if (p.channel && std::find(known.begin(), known.end(), *p.channel) == known.end()) known.push_back(*p.channel);
  if (known.empty() || std::find(known.begin(), known.end(), channel) != known.end()) return;
  std::string list;
  for (size_t k = 0; k < known.size() && k < 10; ++k) list += (k ? ", " : "") + shown(known[k], 60);
  throw kit::usage_error("--channel: no build profile in " + shown(path, 200) + " uses channel '" + shown(channel, 80) + "' (its channels: " +
                             list + "); eas would create it and publish an update no build receives; nothing changed (check the "
                         "spelling, or pass --any-channel if builds listen on a channel eas.json no longer names)");
}

// The update must be bundled with the EAS environment of the builds that receive it: eas update
// refuses to run without --environment for SDK 55+, an older SDK silently bundles without the
// server-side variables the builds have, and another environment (preview's for a production
// update) gives them the wrong ones. The build profiles on the channel say which one; --environment
// may only pick among them (profiles that disagree), never replace them.
std::optional<std::string> environment_of_channel(const std::string& path, const std::vector<ProfileChannel>& profiles,
                                                  const std::string& channel, const std::optional<std::string>& given) {
  std::vector<std::pair<std::string, std::string>> named;  // each environment with the first profile naming it
  for (const auto& p : profiles)
    if (p.channel == channel && p.environment &&
        std::none_of(named.begin(), named.end(), [&](const auto& n) { return n.first == *p.environment; }))
      named.emplace_back(*p.environment, p.profile);
  if (named.empty()) return given;
  std::string list;
  for (size_t k = 0; k < named.size() && k < 10; ++k)
    list += (k ? ", '" : "'") + shown(named[k].first, 60) + "' in " + shown(named[k].second, 60);
  std::string where = "channel '" + shown(channel, 80) + "' in " + shown(path, 200);
  if (given) {
    for (const auto& n : named)
      if (n.first == *given) return given;
    bool one = named.size() == 1;
    std::string what = one ? "is not environment '" + shown(named[0].first, 60) + "' of build profile '" + shown(named[0].second, 60) +
                                 "' on " + where
                           : "is none of the EAS environments of the build profiles on " + where + " (" + list + ")";
    std::string next = one ? "leave --environment out to use '" + shown(named[0].first, 60) + "'" : "pass one of them";
    throw kit::usage_error("--environment '" + shown(*given, 60) + "' " + what +
                           ": the update would reach those builds bundled with another environment's server-side variables; nothing "
                           "changed (" + next + ", or change the environment in eas.json)");
  }
  if (named.size() > 1)
    throw kit::usage_error("--environment: the build profiles on " + where + " use different EAS environments (" + list +
                           "): say which with --environment; nothing changed");
  kit::log::info("EAS environment '" + shown(named[0].first, 60) + "' (build profile '" + shown(named[0].second, 60) + "' on channel '" +
                 shown(channel, 80) + "')");
  return named[0].first;
}

}  // namespace

kit::Outcome run_publish(kit::Context& ctx) {
  const auto& a = ctx.args;
  PublishArgs p;
  p.channel = commands::channel_arg(a);
  p.platform = commands::platform_arg(a);
  const std::string eas_json = (std::filesystem::path(a.str("project-dir")) / "eas.json").string();
  const auto profiles = build_profiles(eas_json);
  if (profiles && !a.flag("any-channel")) check_channel_is_built(eas_json, *profiles, p.channel);
  if (auto m = commands::text_arg(a, "message")) {
    p.message = *m;
  } else {
    std::string event = ctx.env.get("GITHUB_EVENT_PATH") ? read_small_file(*ctx.env.get("GITHUB_EVENT_PATH")) : "";
    p.message = default_message(ctx.env.get_or("GITHUB_SHA", ""), event);
    if (p.message.empty())
      throw kit::usage_error("missing --message (or INPUT_MESSAGE): outside GitHub Actions there is no commit to name the update after");
  }
  p.environment = commands::text_arg(a, "environment");
  if (profiles) p.environment = environment_of_channel(eas_json, *profiles, p.channel, p.environment);
  if (p.environment)
    if (auto problem = name_problem("--environment", *p.environment); !problem.empty()) throw kit::usage_error(problem);
  p.input_dir = commands::text_arg(a, "input-dir");
  if (p.input_dir) {
    std::error_code ec;
    std::filesystem::path dir = std::filesystem::path(a.str("project-dir")) / *p.input_dir;
    if (!std::filesystem::is_directory(dir, ec))
      throw kit::usage_error("--input-dir: '" + shown(dir.string(), 200) + "' is not a directory (run npx expo export first)");
  }
  if (commands::text_arg(a, "rollout-percentage")) p.rollout_percentage = static_cast<int>(a.integer("rollout-percentage", 1, 100));
  EasSetup setup = commands::eas_setup(ctx);
  std::string project_id = commands::text_arg(a, "project-id").value_or("");
  if (!project_id.empty() && !is_uuid(project_id)) throw kit::usage_error("--project-id: '" + shown(project_id, 60) + "' is not an EAS project id (a UUID)");
  if (project_id.empty()) project_id = project_id_from(setup.project_dir);

  EasCall call = publish_call(p);
  ctx.report.output("channel", p.channel);
  ctx.report.output("environment", p.environment.value_or(""));
  ctx.report.output("message", p.message);
  if (a.flag("dry-run")) {
    commands::show_commands(ctx, "ota-publish publish --dry-run: would run", setup.program, {call});
    ctx.report.output("dry-run", "true");
    return {kit::Exit::ok, "dry run: would publish an update to channel " + p.channel + "; nothing changed"};
  }

  PublishResult r = publish(process_runner(setup), p);
  const Update& first = r.updates.front();
  ctx.report.output("group-id", first.group);
  ctx.report.output("group-ids", kit::join(r.groups, "\n"));
  ctx.report.output("runtime-version", first.runtime_version);
  ctx.report.output("branch", first.branch);
  nlohmann::json ids = nlohmann::json::object(), updates = nlohmann::json::array();
  std::vector<std::vector<std::string>> rows;
  for (const auto& u : r.updates) {
    std::string platform = kit::valid_utf8(u.platform);
    if (platform == "ios" || platform == "android") {
      ctx.report.output(platform + "-update-id", u.id);
      ctx.report.output(platform + "-manifest-permalink", kit::valid_utf8(u.manifest_permalink));
    }
    ids[platform] = u.id;
    updates.push_back({{"id", u.id},
                       {"group", u.group},
                       {"platform", platform},
                       {"runtime_version", kit::valid_utf8(u.runtime_version)},
                       {"branch", kit::valid_utf8(u.branch)},
                       {"manifest_permalink", kit::valid_utf8(u.manifest_permalink)},
                       {"created_at", kit::valid_utf8(u.created_at)}});
    rows.push_back({platform, u.id, kit::valid_utf8(u.runtime_version), u.group, kit::valid_utf8(u.manifest_permalink)});
  }
  ctx.report.output("update-ids", ids.dump());
  ctx.report.result("updates", updates);
  std::string md = "### ota-publish: update published to `" + kit::valid_utf8(p.channel) + "`\n\n" + kit::valid_utf8(p.message) + "\n\n" +
                   kit::markdown_table({"platform", "update id", "runtime", "group", "manifest"}, rows);
  if (!project_id.empty()) {
    std::string page = update_page_url(project_id, first.group), qr = qr_code_url(project_id, first.group);
    ctx.report.output("update-url", page);
    ctx.report.output("qr-code-url", qr);
    md += "\n[Open the update on expo.dev](" + page + ")\n\n<a href=\"" + page + "\"><img src=\"" + qr +
          "\" width=\"200\" alt=\"QR code: open this update in Expo Go or a development build\"></a>\n";
  } else {
    kit::log::info("no EAS project id (--project-id or app.json extra.eas.projectId): no preview link or QR code");
  }
  ctx.report.summary(md);
  std::string headline = "published group " + first.group + " (runtime " + shown(first.runtime_version, 60) + ") to channel " + p.channel;
  if (r.eas_failed_after_publishing) headline += " (eas exited non-zero after publishing; see the log)";
  return {kit::Exit::ok, headline};
}

}  // namespace ota
