// `inspect REF`: an image as JSON: media type, platforms, per-platform manifests, layers, sizes.
#include <iostream>
#include <nlohmann/json.hpp>

#include "image-promote/commands/commands.hpp"
#include "image-promote/commands/common.hpp"
#include "image-promote/promote.hpp"
#include "kit/error.hpp"
#include "kit/text.hpp"
#include "kit/untrusted_json.hpp"

namespace image_promote::commands {
namespace {

nlohmann::json describe_image(const Manifest& image) {
  nlohmann::json layers = nlohmann::json::array();
  for (const auto& l : image.layers) layers.push_back({{"digest", l.digest}, {"size", l.size}, {"media_type", l.media_type}});
  nlohmann::json j = {{"digest", image.digest}, {"media_type", image.media_type}, {"size", image.total_size()}, {"layers", layers}};
  if (image.config)
    j["config"] = {{"digest", image.config->digest}, {"size", image.config->size}, {"media_type", image.config->media_type}};
  if (!image.artifact_type.empty()) j["artifact_type"] = image.artifact_type;
  return j;
}

constexpr const char* kVersionKey = "org.opencontainers.image.version";

// The release an image carries: its annotation (an index built by `buildx imagetools create
// --annotation`), else the config label that `docker build --label` / build-push-action's
// `labels:` write. Registry data: read as untrusted JSON, a missing or odd value is "".
std::string image_version(RegistrySession& session, RegistryClient& client, const std::string& repo, const Manifest& image) {
  if (auto it = image.annotations.find(kVersionKey); it != image.annotations.end()) return it->second;
  if (!image.config || image.config->size > (1 << 20)) return "";
  try {
    auto bytes = session.kept_config(image.config->digest);  // platforms_of read it already
    auto config = kit::parse_untrusted_json(bytes ? *bytes : client.get_blob_bytes(repo, image.config->digest, 1 << 20));
    const auto* label = kit::find_pointer(config, std::string("/config/Labels/") + kVersionKey);
    return label && label->is_string() ? label->get<std::string>() : "";
  } catch (const kit::Error&) {
    throw;
  } catch (const std::exception&) {
    return "";
  }
}

}  // namespace

kit::Outcome inspect(kit::Context& ctx) {
  Reference ref = parse_reference(ctx.args.str("image"));
  auto s = session_request(ctx, {ref.registry});
  RegistrySession session(s.client, s.credentials);
  session.need(ref.registry, ref.repository, false);
  auto client = session.client(ref.registry);
  auto m = client->get_manifest(ref.repository, ref.reference());
  if (!m) throw kit::usage_error(ref.str() + " does not exist in the registry", "check the repository and tag spelling");
  nlohmann::json out = {{"reference", ref.str()}, {"digest", m->digest}, {"media_type", m->media_type}};
  auto platforms = platforms_of(session, *client, ref.repository, *m);
  out["platforms"] = platforms;
  std::string version;
  if (m->is_index) {
    nlohmann::json manifests = nlohmann::json::array();
    if (auto it = m->annotations.find(kVersionKey); it != m->annotations.end()) version = it->second;
    for (const auto& c : m->children) {
      auto cm = client->get_manifest(ref.repository, c.digest);
      nlohmann::json j = cm ? describe_image(*cm) : nlohmann::json{{"digest", c.digest}, {"missing", true}};
      j["platform"] = c.platform;
      manifests.push_back(j);
      if (version.empty() && cm && !cm->is_index) version = image_version(session, *client, ref.repository, *cm);
    }
    out["manifests"] = manifests;
  } else {
    out.update(describe_image(*m));
    out["platforms"] = platforms;
    version = image_version(session, *client, ref.repository, *m);
  }
  out["version"] = version;
  if (!ctx.report.json_mode()) std::cout << out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  for (auto it = out.begin(); it != out.end(); ++it) ctx.report.result(it.key(), it.value());
  ctx.report.output("digest", m->digest);
  ctx.report.output("platforms", kit::join(platforms));
  ctx.report.output("image-version", version);
  return {kit::Exit::ok, ref.str() + ": " + m->media_type + ", " + std::to_string(platforms.size()) + " platform(s)", ""};
}

}  // namespace image_promote::commands
