#pragma once
// Signatures, attestations and SBOMs travel with the image: those the OCI 1.1 referrers API lists
// (where the source registry has it) and those under cosign's tag scheme (sha256-<hex>.sig/.att/.sbom),
// which is looked at whether or not the API exists.
#include <optional>
#include <string>
#include <vector>

#include "image-promote/blob_copy.hpp"

namespace image_promote {

struct Attached {
  std::string digest;
  std::string tag;  // the tag it lives under (tag scheme); empty when found through the API
  std::string artifact_type;
  std::optional<Manifest> manifest;  // when finding it read it already (by tag)
};

// The tags cosign and the OCI 1.1 fallback use for artifacts attached to `subject`.
std::vector<std::string> attachment_tags(const std::string& subject);

// Tag-scheme artifacts first, then those only the referrers API lists. Throws when the API
// fails (other than 404, "no API").
std::vector<Attached> find_attached(RegistrySession& session, const Reference& src, const std::string& subject);

// Copies what is attached to `subject` from src to dst (re-tagging the tag-scheme ones).
// Returns how many artifacts were copied or already present.
int copy_attached(RegistrySession& session, const Reference& src, const Reference& dst, const std::string& subject,
                  int jobs, CopyStats& stats);
// The same with what find_attached found (promote looks while the image is copied).
int copy_found(RegistrySession& session, const Reference& src, const Reference& dst, const std::vector<Attached>& found,
               int jobs, CopyStats& stats);

}  // namespace image_promote
