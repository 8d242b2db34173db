#pragma once
// Signatures, attestations and SBOMs travel with the image: through the OCI 1.1 referrers API
// where the source registry has it, else through cosign's tag scheme (sha256-<hex>.sig/.att/.sbom).
#include <string>
#include <vector>

#include "image-promote/blob_copy.hpp"

namespace image_promote {

struct Attached {
  std::string digest;
  std::string tag;  // the tag it lives under (tag scheme); empty when found through the API
  std::string artifact_type;
};

// The tags cosign and the OCI 1.1 fallback use for artifacts attached to `subject`.
std::vector<std::string> attachment_tags(const std::string& subject);

std::vector<Attached> find_attached(RegistryClient& src, const std::string& repository, const std::string& subject);

// Copies what is attached to `subject` from src to dst (re-tagging the tag-scheme ones).
// Returns how many artifacts were copied or already present.
int copy_attached(RegistrySession& session, const Reference& src, const Reference& dst, const std::string& subject,
                  int jobs, bool dry_run, CopyStats& stats);

}  // namespace image_promote
