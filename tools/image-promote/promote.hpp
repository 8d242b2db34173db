#pragma once
// Moving tags: promote (copy by digest if needed, then point tags at it) and rollback (point a
// tag back at a digest from its history). Each tag move reads the current digest just before
// writing, writes, verifies, and only then records the history; a failure after the write puts
// the tag back, so a move either happens completely or leaves the tag as it was.
#include <optional>
#include <string>
#include <vector>

#include "image-promote/blob_copy.hpp"
#include "image-promote/history.hpp"
#include "kit/duration.hpp"
#include "kit/env.hpp"

namespace image_promote {

struct MoveRequest {
  std::optional<std::string> expect_current;  // "" = the tag must not exist
  std::string action = "promote";
  std::string source;  // for the history
  kit::Millis settle{0};
  bool dry_run = false;
};

struct TagMove {
  Reference target;
  std::string previous;  // what the tag pointed at when read just before the write ("" = no tag)
  std::string state;  // "moved", "unchanged" (already there), "would move"
};

// Points target (repo:tag) at `image`, which must already be in target's repository.
TagMove move_tag(RegistryClient& client, const Reference& target, const Manifest& image, const MoveRequest& request,
                 const kit::Env& env);

struct PromoteRequest {
  Reference source;
  std::vector<Reference> targets;
  MoveRequest move;
  bool referrers = true;
  int jobs = 4;
};

struct PromoteResult {
  std::string digest;
  std::string media_type;
  // An index's platforms; a single image's only when a target is in another repository (its
  // config is read or copied then anyway); empty for a retag inside one repository.
  std::vector<std::string> platforms;
  CopyStats stats;
  int attached = 0;
  std::vector<TagMove> moves;
};

// The source image (read once; everything after uses its digest). Throws a usage error when
// it does not exist.
Manifest resolve_source(RegistrySession& session, const Reference& source);

// Promotes `image` (from resolve_source) to every target.
PromoteResult promote(RegistrySession& session, const PromoteRequest& request, const Manifest& image, const kit::Env& env);

struct RollbackRequest {
  Reference repository;
  std::string tag;
  int steps = 1;
  std::string to;  // a digest; wins over steps
  kit::Millis settle{0};
  bool dry_run = false;
};

struct RollbackResult {
  TagMove move;
  std::string digest;
};

RollbackResult rollback(RegistrySession& session, const RollbackRequest& request, const kit::Env& env);

// Platforms of an image: index entries, or os/architecture/variant from a single manifest's
// config (taken from `session` when a copy already downloaded it, else one GET).
std::vector<std::string> platforms_of(RegistrySession& session, RegistryClient& client, const std::string& repository,
                                      const Manifest& m);

}  // namespace image_promote
