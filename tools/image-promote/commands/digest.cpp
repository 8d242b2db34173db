// `digest REF`: the digest a reference resolves to (one HEAD).
#include <iostream>
#include <nlohmann/json.hpp>

#include "image-promote/commands/commands.hpp"
#include "image-promote/commands/common.hpp"
#include "kit/error.hpp"

namespace image_promote::commands {

kit::Outcome digest(kit::Context& ctx) {
  Reference ref = parse_reference(ctx.args.str("image"));
  auto s = session_request(ctx, {ref.registry});
  RegistrySession session(s.client, s.credentials);
  session.need(ref.registry, ref.repository, false);
  auto digest = session.client(ref.registry)->head_manifest(ref.repository, ref.reference());
  if (!digest)
    throw kit::usage_error(ref.str() + " does not exist in the registry", "check the repository and tag spelling");
  std::cout << (ctx.report.json_mode() ? "" : *digest + "\n");
  ctx.report.output("digest", *digest);
  ctx.report.result("digest", *digest);
  return {kit::Exit::ok, ref.str() + " is " + *digest, ""};
}

}  // namespace image_promote::commands
