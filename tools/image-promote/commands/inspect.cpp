// `inspect REF`: an image as JSON: media type, platforms, per-platform manifests, layers, sizes.
#include <iostream>
#include <nlohmann/json.hpp>

#include "image-promote/commands/commands.hpp"
#include "image-promote/commands/common.hpp"
#include "image-promote/promote.hpp"
#include "kit/error.hpp"
#include "kit/text.hpp"

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
  if (m->is_index) {
    nlohmann::json manifests = nlohmann::json::array();
    for (const auto& c : m->children) {
      auto cm = client->get_manifest(ref.repository, c.digest);
      nlohmann::json j = cm ? describe_image(*cm) : nlohmann::json{{"digest", c.digest}, {"missing", true}};
      j["platform"] = c.platform;
      manifests.push_back(j);
    }
    out["manifests"] = manifests;
  } else {
    out.update(describe_image(*m));
    out["platforms"] = platforms;
  }
  if (!ctx.report.json_mode()) std::cout << out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  for (auto it = out.begin(); it != out.end(); ++it) ctx.report.result(it.key(), it.value());
  ctx.report.output("digest", m->digest);
  ctx.report.output("platforms", kit::join(platforms));
  return {kit::Exit::ok, ref.str() + ": " + m->media_type + ", " + std::to_string(platforms.size()) + " platform(s)", ""};
}

}  // namespace image_promote::commands
