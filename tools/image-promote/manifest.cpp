#include "image-promote/manifest.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "image-promote/digest.hpp"
#include "kit/error.hpp"
#include "kit/text.hpp"
#include "kit/untrusted_json.hpp"

namespace image_promote {

std::string media::accept_header() {
  return std::string(oci_index) + ", " + oci_manifest + ", " + docker_list + ", " + docker_manifest;
}

bool is_index_type(const std::string& t) { return t == media::oci_index || t == media::docker_list; }
bool is_manifest_type(const std::string& t) { return t == media::oci_manifest || t == media::docker_manifest; }

std::string platform_string(const std::string& os, const std::string& arch, const std::string& variant) {
  std::string s = os + "/" + arch;
  if (!variant.empty()) s += "/" + variant;
  return s;
}

namespace {

Descriptor descriptor(const nlohmann::json& j) {
  Descriptor d;
  d.media_type = j.value("mediaType", "");
  d.digest = j.value("digest", "");
  if (j.contains("size")) {
    auto size = kit::json_integer(j["size"]);
    if (!size || *size < 0)
      throw kit::environment_error("malformed manifest: a descriptor declares size " + kit::json_excerpt(j["size"], 40) +
                                       ", which is not a byte count",
                                   "the manifest is corrupt or was not written by a registry client; push the image again");
    d.size = *size;
  }
  d.artifact_type = j.value("artifactType", "");
  if (j.contains("platform") && j["platform"].is_object()) {
    const auto& p = j["platform"];
    d.platform = platform_string(p.value("os", ""), p.value("architecture", ""), p.value("variant", ""));
  }
  return d;
}

}  // namespace

std::vector<Descriptor> Manifest::blobs() const {
  std::vector<Descriptor> out;
  if (config) out.push_back(*config);
  out.insert(out.end(), layers.begin(), layers.end());
  return out;
}

std::int64_t Manifest::total_size() const {
  std::int64_t n = 0;
  // Saturates: sizes come from the registry, and a sum past INT64_MAX would be undefined.
  for (const auto& b : blobs())
    if (__builtin_add_overflow(n, b.size, &n)) return INT64_MAX;
  return n;
}

Manifest parse_manifest(const std::string& body, const std::string& content_type) {
  Manifest m;
  m.body = body;
  m.digest = sha256_digest(body);
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(body);
  } catch (const std::exception& e) {
    throw kit::environment_error("the registry returned a manifest that is not JSON (" + std::string(e.what()) + ")",
                                 "check that the reference names an image, not another kind of artifact");
  }
  if (!j.is_object()) throw kit::environment_error("the registry returned a manifest that is not a JSON object");
  std::string ct = content_type.substr(0, content_type.find(';'));
  // Every field read below may have another type than expected (a "schemaVersion": "2" threw
  // nlohmann's type_error out of here, found by tests/fuzz/manifest_fuzz): all inside the try.
  try {
    m.media_type = j.value("mediaType", ct);
    if (m.media_type.empty()) m.media_type = j.contains("manifests") ? media::oci_index : media::oci_manifest;
    auto schema_version = kit::json_integer(j, "schemaVersion");
    if (j.contains("schemaVersion") && schema_version != 1 && schema_version != 2)
      throw kit::environment_error("malformed manifest " + m.digest + ": schemaVersion " +
                                       kit::json_excerpt(j["schemaVersion"], 40) + " (OCI and Docker manifests say 2)",
                                   "check that the reference names an image, not another kind of artifact");
    if (schema_version == 1 || m.media_type.find("v1+prettyjws") != std::string::npos ||
        m.media_type == "application/vnd.docker.distribution.manifest.v1+json")
      throw kit::environment_error("the image uses Docker schema 1 manifests, which are deprecated and not supported",
                                   "rebuild and push the image with a current builder");
    m.artifact_type = j.value("artifactType", "");
    m.is_index = is_index_type(m.media_type) || (j.contains("manifests") && !j.contains("layers"));
    // An index without its own mediaType served under a manifest Content-Type: it is copied under
    // the index type of the same family, or the destination would store (or refuse) an index
    // labelled as an image.
    if (m.is_index && !is_index_type(m.media_type) && !j.contains("mediaType"))
      m.media_type = m.media_type == media::docker_manifest ? media::docker_list : media::oci_index;
    if (m.is_index) {
      for (const auto& c : j.value("manifests", nlohmann::json::array())) m.children.push_back(descriptor(c));
    } else {
      if (j.contains("config")) m.config = descriptor(j["config"]);
      for (const auto& l : j.value("layers", nlohmann::json::array())) m.layers.push_back(descriptor(l));
    }
    if (j.contains("subject") && j["subject"].is_object()) m.subject = descriptor(j["subject"]);
    if (j.contains("annotations") && j["annotations"].is_object())
      for (const auto& [k, v] : j["annotations"].items())
        if (v.is_string()) m.annotations[k] = v.get<std::string>();
  } catch (const nlohmann::json::exception& e) {
    throw kit::environment_error("malformed manifest " + m.digest + ": " + e.what());
  }
  return m;
}

std::string normalize_platform(const std::string& platform) {
  std::string p = kit::lower(platform);
  std::vector<std::string> parts;
  for (size_t start = 0;;) {
    size_t slash = p.find('/', start);
    parts.push_back(p.substr(start, slash == std::string::npos ? std::string::npos : slash - start));
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  if (parts.size() < 2 || parts.size() > 3) return p;  // not os/arch[/variant]: compared as given
  std::string os = parts[0] == "macos" ? "darwin" : parts[0];
  std::string arch = parts[1];
  std::string variant = parts.size() == 3 ? parts[2] : "";
  if (arch == "i386") {
    arch = "386";
    variant.clear();
  } else if (arch == "x86_64" || arch == "x86-64" || arch == "amd64") {
    arch = "amd64";
    if (variant == "v1") variant.clear();
  } else if (arch == "aarch64" || arch == "arm64") {
    arch = "arm64";
    if (variant.empty() || variant == "8" || variant == "v8.0") variant = "v8";
    if (variant == "9" || variant == "9.0" || variant == "v9.0") variant = "v9";
  } else if (arch == "armhf") {
    arch = "arm";
    variant = "v7";
  } else if (arch == "armel") {
    arch = "arm";
    variant = "v6";
  } else if (arch == "arm") {
    if (variant.empty() || variant == "7") variant = "v7";
    if (variant == "5" || variant == "6" || variant == "8") variant = "v" + variant;
  }
  return platform_string(os, arch, variant);
}

bool platform_matches(const std::string& filter, const std::string& platform) {
  return normalize_platform(filter) == normalize_platform(platform);
}

std::string filter_index(const Manifest& index, const std::vector<std::string>& platforms) {
  auto j = nlohmann::json::parse(index.body);
  nlohmann::json kept = nlohmann::json::array();
  for (const auto& c : j["manifests"]) {
    Descriptor d = descriptor(c);
    if (std::any_of(platforms.begin(), platforms.end(), [&](const std::string& f) { return platform_matches(f, d.platform); }))
      kept.push_back(c);
  }
  j["manifests"] = kept;
  return j.dump(3);
}

}  // namespace image_promote
