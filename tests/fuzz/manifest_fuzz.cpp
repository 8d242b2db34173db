// Manifests and indexes (OCI, Docker schema 2) as a registry serves them. The first byte picks the
// Content-Type the registry claims. Invariants: the digest is of the exact bytes; an index lists
// only children and can be filtered by platform without throwing anything but kit::Error.
#include <nlohmann/json.hpp>

#include "fuzz_support.hpp"
#include "image-promote/digest.hpp"
#include "image-promote/manifest.hpp"
#include "kit/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static const char* kTypes[] = {image_promote::media::oci_manifest, image_promote::media::oci_index,
                                 image_promote::media::docker_manifest, image_promote::media::docker_list, "",
                                 "application/json", "text/html; charset=utf-8"};
  std::string content_type = kTypes[data[0] % (sizeof kTypes / sizeof *kTypes)];
  std::string body = fuzz::as_string(data + 1, size - 1);
  image_promote::Manifest m;
  try {
    m = image_promote::parse_manifest(body, content_type);
  } catch (const kit::Error& e) {
    FUZZ_CHECK(!std::string(e.what()).empty(), "a refused manifest says why");
    return 0;
  }
  FUZZ_CHECK(m.body == body, "the exact bytes are kept");
  FUZZ_CHECK(m.digest.rfind("sha256:", 0) == 0 && m.digest.size() == 71, "the digest is a sha256");
  // An index media type is always read as an index; the converse is not required: a body with
  // "manifests" and no "layers" is an index whatever the Content-Type claims (manifest.cpp).
  if (image_promote::is_index_type(m.media_type)) FUZZ_CHECK(m.is_index, "an index media type is an index");
  auto top = nlohmann::json::parse(body, nullptr, false);
  if (m.is_index && top.is_object() && !top.contains("mediaType"))
    FUZZ_CHECK(image_promote::is_index_type(m.media_type), "an index without its own mediaType is copied as an index");
  if (m.is_index) {
    FUZZ_CHECK(m.layers.empty() && !m.config, "an index has no layers or config");
    for (const auto& c : m.children) (void)image_promote::normalize_platform(c.platform);
    try {
      std::string filtered = image_promote::filter_index(m, {"linux/amd64", "linux/arm64"});
      image_promote::Manifest again = image_promote::parse_manifest(filtered, m.media_type);
      FUZZ_CHECK(again.is_index, "a filtered index is still an index");
      FUZZ_CHECK(again.children.size() <= m.children.size(), "filtering never adds entries");
    } catch (const kit::Error&) {
    }
  } else {
    (void)m.total_size();
    (void)m.blobs();
  }
  return 0;
}
