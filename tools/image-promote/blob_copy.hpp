#pragma once
// Copies a manifest tree (index -> manifests -> config and layers) from one repository to
// another by digest, so the digest is preserved. A root the destination has is skipped (HEAD
// first); inside one registry blobs are mounted (no HEAD); across registries blobs the
// destination has are skipped (HEAD first); otherwise a blob of 1 MiB or more
// streams registry to registry, and smaller ones (or a failed stream) go through a temporary
// file (never a whole layer in memory), several at once.
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
  int blobs_streamed = 0;  // of blobs_uploaded: registry to registry, nothing on disk
  int blobs_present = 0;
  int manifests_written = 0;
  int manifests_present = 0;
  void add(const CopyStats& o);
};

// Indexes nest (an index of indexes is legal), but not without end: deeper than this is refused
// before anything is written (a hostile index 3,000 levels deep would cost two requests a level).
inline constexpr int kMaxIndexDepth = 8;

// The order in which the manifests of a tree (every one once) are written: groups of indexes
// into `manifests`, lowest first, by height (an image 0, an index one more than its highest
// entry among `manifests`). An index refers only to lower groups, so each group's manifests can
// be written at once once the groups before it are in; the level where a manifest was first
// seen would not do (root -> [X, B], B -> [C], C -> [X]: C comes after X).
std::vector<std::vector<size_t>> write_groups(const std::vector<Manifest>& manifests);

// Copies `root` (already read from `src`) and everything under it into `dst`'s repository, by
// digest. Does not tag. `jobs` blob transfers run at once, each thread with its own client.
// `write_root` false: everything but `root` itself, for a caller that PUTs it under a tag right
// after (a PUT by tag stores the manifest too: one request less).
CopyStats copy_tree(RegistrySession& session, const Reference& src, const Reference& dst, const Manifest& root,
                    int jobs, bool write_root = true);

}  // namespace image_promote
