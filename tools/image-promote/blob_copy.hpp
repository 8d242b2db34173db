#pragma once
// Copies a manifest tree (index -> manifests -> config and layers) from one repository to
// another by digest, so the digest is preserved. What the destination has is skipped (HEAD
// first); inside one registry blobs are mounted; otherwise they stream through a temporary file
// (never a whole layer in memory), several at once.
#include <cstdint>
#include <string>
#include <vector>

#include "image-promote/manifest.hpp"
#include "image-promote/reference.hpp"
#include "image-promote/registry_client.hpp"

namespace image_promote {

struct CopyStats {
  std::int64_t bytes_uploaded = 0;
  int blobs_mounted = 0;
  int blobs_uploaded = 0;
  int blobs_present = 0;
  int manifests_written = 0;
  int manifests_present = 0;
  void add(const CopyStats& o);
};

// Copies `root` (already read from `src`) and everything under it into `dst`'s repository, by
// digest. Does not tag. `jobs` blob transfers run at once, each thread with its own client.
CopyStats copy_tree(RegistrySession& session, const Reference& src, const Reference& dst, const Manifest& root,
                    int jobs, bool dry_run);

}  // namespace image_promote
