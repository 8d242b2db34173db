#include "image-promote/copy.hpp"

#include "image-promote/promote.hpp"
#include "image-promote/referrers.hpp"
#include "kit/error.hpp"
#include "kit/text.hpp"

namespace image_promote {

CopyPlan plan_copy(const CopyRequest& req, const Manifest& image) {
  CopyPlan plan;
  plan.source = req.source;
  plan.destination = req.destination;
  plan.root = image;
  plan.source_digest = image.digest;
  plan.jobs = req.jobs;
  plan.referrers = req.referrers && req.source.repo_name() != req.destination.repo_name();
  if (!req.platforms.empty()) {
    if (!image.is_index)
      throw kit::usage_error("--platform needs an index (multi-platform image); " + req.source.str() + " is a single image");
    plan.root = parse_manifest(filter_index(image, req.platforms), image.media_type);
    if (plan.root.children.empty()) {
      std::vector<std::string> have;
      for (const auto& c : image.children) have.push_back(c.platform.empty() ? "(none)" : c.platform);
      throw kit::usage_error("--platform " + kit::join(req.platforms) + " matches no platform of " + req.source.str() +
                                 " (it has " + kit::join(have, ", ") + "); nothing was copied",
                             "give OS/ARCH[/VARIANT] as listed; a missing variant means the default (arm64: v8, arm: v7)");
    }
    plan.warnings.push_back("--platform: the copy is a new index with digest " + plan.root.digest + " (the source's is " +
                            image.digest + ")");
  }
  if (!plan.destination.digest.empty() && plan.destination.digest != plan.root.digest)
    throw kit::usage_error("destination digest " + plan.destination.digest + " differs from the source's " + plan.root.digest);
  if (plan.destination.tag.empty() && plan.destination.digest.empty()) plan.destination.tag = req.source.tag;
  return plan;
}

std::vector<std::string> describe(const CopyPlan& plan) {
  std::vector<std::string> out;
  out.push_back("copy " + plan.source.with_digest(plan.source_digest).str() + " (" +
                (plan.root.is_index ? std::to_string(plan.root.children.size()) + " platform(s)" : std::string("one image")) +
                ") to " + plan.destination.repo_name() + " as " + plan.root.digest);
  if (plan.referrers) out.push_back("copy what is attached to it (signatures, attestations, SBOMs)");
  if (!plan.destination.tag.empty()) out.push_back("tag " + plan.destination.str() + " and read it back");
  return out;
}

CopyResult execute(RegistrySession& session, const CopyPlan& plan) {
  CopyResult result;
  const Reference& src = plan.source;
  const Reference& dst = plan.destination;
  auto d = session.client(dst.registry);
  if (!dst.tag.empty()) result.previous = d->head_manifest(dst.repository, dst.tag).value_or("");
  result.stats = copy_tree(session, src, dst, plan.root, plan.jobs);
  if (plan.referrers) result.attached = copy_attached(session, src, dst, plan.source_digest, plan.jobs, result.stats);
  if (!dst.tag.empty()) {
    std::string error;
    bool put_ok = d->try_put_manifest(dst.repository, dst.tag, plan.root.media_type, plan.root.body, error);
    // Read back even after a failed PUT: a lost answer may hide a write that happened.
    std::optional<std::string> now;
    try {
      now = d->head_manifest(dst.repository, dst.tag);
    } catch (const kit::Error& e) {
      // The tag may well be written now: "nothing changed" (exit 3) would be untrue.
      throw kit::partial_error(std::string(put_ok ? "the registry accepted the tag " + dst.str() + " but it"
                                                  : "the write of " + dst.str() + " failed and the tag") +
                                   " could not be read back to verify it: " + e.what(),
                               "check what it points at with `image-promote digest " + dst.str() + "` (expected " +
                                   plan.root.digest + "), then run the same copy again if needed");
    }
    if (now != plan.root.digest) {
      if (!put_ok && now.value_or("") == result.previous)
        throw kit::environment_error("could not tag " + dst.str() + ": " + error + "; the image is in " + dst.repo_name() +
                                         " by digest but the tag is unchanged",
                                     "run the same copy again: what was copied is skipped");
      throw kit::partial_error(dst.str() + " does not resolve to " + plan.root.digest + " after the copy",
                               "another writer moved the tag; check it and copy again");
    }
  }
  auto s = session.client(src.registry);
  result.platforms = platforms_of(session, *s, src.repository, plan.root);
  return result;
}

}  // namespace image_promote
