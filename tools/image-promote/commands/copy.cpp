// `copy SRC DST`: an image, every platform (or some), to another repository or registry by digest.
#include <nlohmann/json.hpp>

#include "image-promote/commands/commands.hpp"
#include "image-promote/commands/common.hpp"
#include "image-promote/copy.hpp"
#include "kit/error.hpp"
#include "kit/log.hpp"
#include "kit/text.hpp"

namespace image_promote::commands {

kit::Outcome copy(kit::Context& ctx) {
  const auto& args = ctx.args;
  CopyRequest req;
  req.source = parse_reference(args.str("source"));
  req.destination = parse_reference(args.str("destination"), "");
  req.platforms = kit::split_commas(args.list("platform"));
  req.referrers = !args.flag("no-referrers");
  req.jobs = jobs_of(args);
  auto s = session_request(ctx, {req.source.registry, req.destination.registry});
  RegistrySession session(s.client, s.credentials);
  session.need(req.source.registry, req.source.repository, false);
  session.need(req.destination.registry, req.destination.repository, true);
  auto image = session.client(req.source.registry)->get_manifest(req.source.repository, req.source.reference());
  if (!image)
    throw kit::usage_error(req.source.str() + " does not exist in the registry; nothing was copied", "check the reference");
  CopyPlan plan = plan_copy(req, *image);
  if (args.flag("dry-run")) return report_plan(ctx, "copy", describe(plan), plan.warnings);
  for (const auto& w : plan.warnings) kit::log::warn(w);

  CopyResult r = execute(session, plan);
  report_copy_figures(ctx.report, plan.root.digest, r.previous, r.platforms, r.stats);
  ctx.report.result("attached_artifacts", r.attached);
  ctx.report.result("requests", session.traffic().requests.load());
  ctx.report.result("connections", session.clients_created());
  Reference shown = plan.destination.tag.empty() ? plan.destination.with_digest(plan.root.digest) : plan.destination;
  ctx.report.summary("### image-promote copy\n\n" +
                     kit::markdown_table({"source", "destination", "digest", "platforms", "bytes uploaded", "blobs mounted",
                                          "blobs present"},
                                         {{req.source.str(), shown.str(), plan.root.digest, kit::join(r.platforms, " "),
                                           std::to_string(r.stats.bytes_uploaded), std::to_string(r.stats.blobs_mounted),
                                           std::to_string(r.stats.blobs_present)}}));
  return {kit::Exit::ok,
          "copied " + req.source.str() + " to " + shown.str() + " (" + std::to_string(r.stats.bytes_uploaded) +
              " bytes uploaded, " + std::to_string(r.stats.blobs_mounted) + " blobs mounted)",
          ""};
}

}  // namespace image_promote::commands
