// `promote SRC@DIGEST --to TAGS`: copy into each target repository if needed, then move the tags,
// recording each move in the tag's history. Gated on a Trivy report with --require-scan.
#include <nlohmann/json.hpp>

#include "image-promote/commands/commands.hpp"
#include "image-promote/commands/common.hpp"
#include "image-promote/commands/moves_report.hpp"
#include "image-promote/history.hpp"
#include "image-promote/promote.hpp"
#include "image-promote/scan_check.hpp"
#include "kit/error.hpp"
#include "kit/log.hpp"
#include "kit/text.hpp"

namespace image_promote::commands {
namespace {

std::vector<Reference> parse_targets(const std::string& to, const Reference& src) {
  std::vector<Reference> out;
  for (const auto& t : kit::split_commas({to})) {
    Reference r;
    if (t.find('/') == std::string::npos) {
      if (!valid_tag(t)) throw kit::usage_error("--to: '" + t + "' is not a valid tag");
      r = src.with_tag(t);
    } else {
      r = parse_reference(t, "");
      if (r.tag.empty() || !r.digest.empty()) throw kit::usage_error("--to: '" + t + "' must name a tag (REPO:TAG) and no digest");
    }
    if (r.tag.rfind("_yonima-history-", 0) == 0) throw kit::usage_error("--to: '" + t + "' is a history tag");
    // Its history tag must fit too: checked here, before any tag moves (exit 2), not at its turn (exit 4).
    history_tag(r.tag);
    out.push_back(r);
  }
  if (out.empty()) throw kit::usage_error("missing --to: the tag(s) to promote to");
  return out;
}

std::string describe(const std::vector<ReportDigest>& digests) {
  std::string out;
  for (const auto& d : digests) out += (out.empty() ? "" : ", ") + d.digest + " (" + d.field + ")";
  return out;
}

// `--require-scan`: the report must be of the image promoted. A report whose digests are all
// another image's is refused (exit 2: the input is wrong, the gate has not judged this image);
// one that names none is judged with a warning.
void report_scan_tie(kit::Context& ctx, const std::string& report_path, const ImageTie& tie, const Reference& source,
                     const Manifest& image) {
  ctx.report.result("scan_image_check", tie.kind == ImageTie::matched   ? "matched"
                                        : tie.kind == ImageTie::foreign ? "foreign"
                                                                        : "unchecked");
  if (tie.kind == ImageTie::unchecked) {
    kit::log::warn("the scan report " + report_path + " names no image digest (ArtifactName@digest, Metadata.RepoDigests, "
                   "Metadata.ImageID): it cannot be checked to be of " + image.digest + "; the gate judges it as given");
    return;
  }
  if (tie.kind == ImageTie::foreign)
    throw kit::usage_error("the scan report " + report_path + " is of another image: it names " + describe(tie.unmatched) +
                               ", none of which is " + image.digest + ", one of its platform manifests or their configs; "
                               "nothing was changed",
                           "scan the image being promoted (trivy image --format json " + source.with_digest(image.digest).str() +
                               ") and pass that report to --require-scan");
  if (!tie.unmatched.empty())
    kit::log::warn("the scan report " + report_path + " is of " + image.digest + " (" + describe(tie.matched_digests) +
                   ") but also names " + describe(tie.unmatched));
}

}  // namespace

kit::Outcome promote(kit::Context& ctx) {
  const auto& args = ctx.args;
  PromoteRequest req;
  req.source = parse_reference(args.str("source"));
  if (req.source.digest.empty() && !args.flag("allow-tag-source"))
    throw kit::usage_error("source " + req.source.str() + " is not pinned to a digest; give REPO@sha256:... (or --allow-tag-source)",
                           "find the digest with `image-promote digest " + req.source.str() + "`");
  req.targets = parse_targets(args.str("to"), req.source);
  if (args.has("expect-current")) {
    std::string v = args.str("expect-current");
    if (v != "none" && !valid_digest(v)) throw kit::usage_error("--expect-current: '" + v + "' is not a sha256 digest (or 'none')");
    req.expect_current = v == "none" ? "" : v;
    if (req.targets.size() > 1) kit::log::info("--expect-current applies to every tag in --to");
  }
  req.settle = args.duration("settle");
  req.referrers = !args.flag("no-referrers");
  req.jobs = jobs_of(args);
  // The report is read and judged before any request (a bad file fails fast); whether it is of
  // the image needs the image, so that check comes after resolving the source, before any write.
  std::string scan = args.str("require-scan");
  GatePolicy policy;
  GateResult gate;
  if (!scan.empty()) {
    policy = gate_policy(args);
    gate = evaluate_report(read_input_file(scan, "Trivy report"), policy);
  }
  std::vector<std::string> registries{req.source.registry};
  for (const auto& t : req.targets) registries.push_back(t.registry);
  auto s = session_request(ctx, registries);
  RegistrySession session(s.client, s.credentials);
  session.need(req.source.registry, req.source.repository, false);
  for (const auto& t : req.targets) session.need(t.registry, t.repository, true);

  Manifest image = nothing_changed_on_error([&] { return resolve_source(session, req.source); });
  if (!scan.empty()) {
    ImageTie tie = nothing_changed_on_error([&] { return tie_scan_to_image(session, req.source, image, gate.image_digests); });
    report_scan_tie(ctx, scan, tie, req.source, image);
    if (report_gate(ctx, scan, policy, gate))
      return {kit::Exit::negative, "promotion refused: the scan has findings at or above " + std::string(severity_name(policy.threshold)) +
                                       "; nothing was changed",
              "fix the findings, or accept them in a .trivyignore (--ignore-file) with an exp: date"};
  }
  PromotePlan plan = plan_promote(req, image);
  if (args.flag("dry-run")) return report_plan(ctx, "promote " + req.source.str(), describe(plan));

  PromoteResult r = nothing_changed_on_error([&] { return execute(session, plan, ctx.env); });
  std::string previous = r.moves.empty() ? "" : r.moves.front().previous;
  report_copy_figures(ctx.report, r.digest, previous, r.platforms, r.stats);
  ctx.report.result("attached_artifacts", r.attached);
  ctx.report.result("requests", session.traffic().requests.load());
  ctx.report.result("connections", session.clients_created());
  report_moves(ctx, "promote " + req.source.str(), r.moves);
  if (r.refusal) return {kit::Exit::negative, r.refusal->message, r.refusal->hint};
  std::vector<std::string> moved, unchanged;
  for (const auto& m : r.moves) (m.state == MoveState::unchanged ? unchanged : moved).push_back(m.target.tag);
  std::string headline;
  if (!moved.empty()) headline += "promoted " + r.digest.substr(0, 19) + " to " + kit::join(moved);
  if (!unchanged.empty()) headline += std::string(moved.empty() ? "" : "; ") + kit::join(unchanged) + " already at " + r.digest.substr(0, 19);
  return {kit::Exit::ok, headline, ""};
}

}  // namespace image_promote::commands
