#pragma once
// Image references as Docker spells them: [registry[:port]/]repository[:tag][@sha256:hex].
#include <optional>
#include <string>

namespace image_promote {

struct Reference {
  std::string registry;    // "docker.io", "ghcr.io", "127.0.0.1:5000"
  std::string repository;  // "library/nginx", "yonima/backend"
  std::string tag;         // may be empty
  std::string digest;      // "sha256:<64 hex>" or empty

  // The tag or digest the registry API is asked for (digest wins when both are given).
  std::string reference() const { return digest.empty() ? tag : digest; }
  std::string repo_name() const { return registry + "/" + repository; }  // without tag or digest
  std::string str() const;                                              // canonical form
  Reference with_digest(const std::string& d) const;
  Reference with_tag(const std::string& t) const;
};

// Parses a reference; Docker Hub names are normalised (nginx -> docker.io/library/nginx).
// `default_tag` fills a reference with neither tag nor digest ("" leaves it empty).
// Throws kit::Error(usage) saying what is wrong.
Reference parse_reference(const std::string& text, const std::string& default_tag = "latest");

// Parses a repository without tag or digest (for history/rollback).
Reference parse_repository(const std::string& text);

bool valid_tag(const std::string& tag);
bool valid_digest(const std::string& digest);

// The host the registry API is served from (docker.io -> registry-1.docker.io).
std::string api_host(const std::string& registry);

}  // namespace image_promote
