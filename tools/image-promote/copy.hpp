#pragma once
// `copy`: an image (every platform, or some) into another repository or registry by digest,
// then its tag written and read back. Planned first as a value (--dry-run prints it).
#include <string>
#include <vector>

#include "image-promote/blob_copy.hpp"

namespace image_promote {

struct CopyRequest {
  Reference source;
  Reference destination;               // tag or digest optional
  std::vector<std::string> platforms;  // keep only these platforms of an index (a new index)
  bool referrers = true;
  int jobs = 4;
};

struct CopyPlan {
  Reference source;
  Reference destination;  // its tag (the source's by default) is written last; none: by digest only
  Manifest root;          // what is copied: the source image, or the filtered index
  std::string source_digest;
  bool referrers = true;  // attached artifacts too (only to another repository)
  int jobs = 4;
  std::vector<std::string> warnings;
};

// Pure: the platform filter, the destination's tag, the digest check. Throws kit::Error(usage)
// when the request cannot be met (no such platform, a destination digest that differs).
CopyPlan plan_copy(const CopyRequest& request, const Manifest& image);
std::vector<std::string> describe(const CopyPlan& plan);

struct CopyResult {
  std::string previous;  // what the destination tag pointed at before ("" = none, or no tag)
  CopyStats stats;
  int attached = 0;
  std::vector<std::string> platforms;
};

// Copies, then writes the tag and reads it back. A tag that cannot be verified is
// kit::Error(partial) (it may be written); a tag write that failed with the tag unchanged is
// kit::Error(environment).
CopyResult execute(RegistrySession& session, const CopyPlan& plan);

}  // namespace image_promote
