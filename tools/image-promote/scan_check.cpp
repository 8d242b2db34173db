#include "image-promote/scan_check.hpp"

namespace image_promote {

ImageTie tie_scan_to_image(RegistrySession& session, const Reference& source, const Manifest& image,
                           const std::vector<ReportDigest>& named) {
  std::vector<std::string> known{image.digest};
  for (const auto& c : image.children) known.push_back(c.digest);
  if (image.config) known.push_back(image.config->digest);
  ImageTie tie = tie_report_to_image(named, known);
  if (tie.kind == ImageTie::foreign && image.is_index) {
    auto client = session.client(source.registry);
    for (const auto& c : image.children)
      if (auto m = client->get_manifest(source.repository, c.digest); m && m->config) known.push_back(m->config->digest);
    tie = tie_report_to_image(named, known);
  }
  return tie;
}

}  // namespace image_promote
