#pragma once
// Manifests and indexes (OCI and Docker schema 2): media types, the descriptors they point at,
// and the platforms of an index. Parsing lives in manifest.cpp so nlohmann/json stays out of headers.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace image_promote::media {
inline constexpr const char* oci_manifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr const char* oci_index = "application/vnd.oci.image.index.v1+json";
inline constexpr const char* docker_manifest = "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr const char* docker_list = "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr const char* oci_empty = "application/vnd.oci.empty.v1+json";
// Every manifest type we can copy, for the Accept header (a registry answers 404 to an OCI
// manifest that the Accept header does not list).
std::string accept_header();
}  // namespace image_promote::media

namespace image_promote {

struct Descriptor {
  std::string media_type;
  std::string digest;
  std::int64_t size = 0;
  std::string platform;  // "linux/amd64", "linux/arm64/v8"; index entries only
  std::string artifact_type;
};

struct Manifest {
  std::string media_type;
  std::string digest;  // of `body`, verified
  std::string body;    // the exact bytes: re-serialising would change the digest
  bool is_index = false;
  std::vector<Descriptor> children;  // index entries
  std::optional<Descriptor> config;
  std::vector<Descriptor> layers;
  std::optional<Descriptor> subject;
  std::string artifact_type;
  std::map<std::string, std::string> annotations;  // the string-valued ones

  std::vector<Descriptor> blobs() const;  // config + layers
  std::int64_t total_size() const;        // config + layers (images only)
};

bool is_index_type(const std::string& media_type);
bool is_manifest_type(const std::string& media_type);

// Parses a manifest body; `content_type` is the response header (used when the body lacks
// mediaType). The digest is computed from the body. Throws kit::Error(environment) on garbage.
Manifest parse_manifest(const std::string& body, const std::string& content_type);

// The platform string of an index entry's platform object, for filters and reports.
std::string platform_string(const std::string& os, const std::string& arch, const std::string& variant);

// A platform as docker and containerd compare them: lower case, architecture aliases resolved
// (x86_64 -> amd64, aarch64 -> arm64, armhf -> arm/v7, armel -> arm/v6, i386 -> 386) and the
// default variant written out (arm64 -> arm64/v8, arm -> arm/v7; amd64/v1 -> amd64).
std::string normalize_platform(const std::string& platform);
// Whether an index entry's platform is what a --platform filter asks for, after normalising both:
// `linux/arm64` matches `linux/arm64/v8` (and the reverse), `linux/arm` matches `linux/arm/v7`
// but not `linux/arm/v6`.
bool platform_matches(const std::string& filter, const std::string& platform);

// A copy of an index keeping only the entries that match one of `platforms` (the digest changes).
std::string filter_index(const Manifest& index, const std::vector<std::string>& platforms);

}  // namespace image_promote
