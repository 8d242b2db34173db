#pragma once
// Whether a Trivy report is of the image being promoted: its digests against the image's own
// (index, platform manifests, configs). An index's platform configs are read only when the cheap
// comparison (index and platform manifest digests) fails.
#include <vector>

#include "image-promote/manifest.hpp"
#include "image-promote/reference.hpp"
#include "image-promote/registry_client.hpp"
#include "image-promote/trivy.hpp"

namespace image_promote {

ImageTie tie_scan_to_image(RegistrySession& session, const Reference& source, const Manifest& image,
                           const std::vector<ReportDigest>& named);

}  // namespace image_promote
