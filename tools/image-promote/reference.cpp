#include "image-promote/reference.hpp"

#include <regex>

#include "kit/error.hpp"

namespace image_promote {
namespace {

// The grammar of distribution/reference, kept to what the registry API accepts.
const std::regex& path_component() {
  static const std::regex r("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
  return r;
}

bool looks_like_registry(const std::string& first) {
  return first.find('.') != std::string::npos || first.find(':') != std::string::npos || first == "localhost";
}

void check_repository(const std::string& text, const std::string& repo) {
  if (repo.empty()) throw kit::usage_error("'" + text + "' has no repository name");
  if (repo.size() > 255) throw kit::usage_error("'" + text + "': repository name longer than 255 characters");
  size_t start = 0;
  while (true) {
    size_t slash = repo.find('/', start);
    std::string part = repo.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (!std::regex_match(part, path_component()))
      throw kit::usage_error("'" + text + "' is not a valid image reference: repository part '" + part +
                             "' must be lower-case letters, digits and . _ - separators");
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
}

Reference split_name(const std::string& text, const std::string& name) {
  Reference ref;
  size_t slash = name.find('/');
  std::string first = name.substr(0, slash);
  if (slash != std::string::npos && looks_like_registry(first)) {
    ref.registry = first;
    ref.repository = name.substr(slash + 1);
  } else {
    ref.registry = "docker.io";
    ref.repository = name;
  }
  if (ref.registry == "index.docker.io" || ref.registry == "registry-1.docker.io") ref.registry = "docker.io";
  if (ref.registry == "docker.io" && ref.repository.find('/') == std::string::npos)
    ref.repository = "library/" + ref.repository;
  // A host name is at most 253 characters (plus ":65535"); std::regex recurses per character and a
  // 100 KB "host" overflowed the stack (found by tests/fuzz/reference_fuzz), so the length comes first.
  if (ref.registry.size() > 253 + 6)
    throw kit::usage_error("'" + text.substr(0, 80) + "...': the registry host is longer than 253 characters");
  static const std::regex host_re("[A-Za-z0-9.-]+(:[0-9]{1,5})?|\\[[0-9a-fA-F:]+\\](:[0-9]{1,5})?");
  if (!std::regex_match(ref.registry, host_re))
    throw kit::usage_error("'" + text + "': '" + ref.registry + "' is not a valid registry host");
  check_repository(text, ref.repository);
  return ref;
}

}  // namespace

bool valid_tag(const std::string& tag) {
  static const std::regex r("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
  return std::regex_match(tag, r);
}

bool valid_digest(const std::string& digest) {
  static const std::regex r("sha256:[a-f0-9]{64}");
  return std::regex_match(digest, r);
}

std::string Reference::str() const {
  std::string s = repo_name();
  if (!tag.empty()) s += ":" + tag;
  if (!digest.empty()) s += "@" + digest;
  return s;
}

Reference Reference::with_digest(const std::string& d) const {
  Reference r = *this;
  r.tag.clear();
  r.digest = d;
  return r;
}

Reference Reference::with_tag(const std::string& t) const {
  Reference r = *this;
  r.tag = t;
  r.digest.clear();
  return r;
}

Reference parse_reference(const std::string& text, const std::string& default_tag) {
  if (text.empty()) throw kit::usage_error("empty image reference");
  if (text.find_first_of(" \t\r\n") != std::string::npos)
    throw kit::usage_error("'" + text + "' is not a valid image reference: it contains white space");
  std::string rest = text;
  std::string digest;
  if (size_t at = rest.find('@'); at != std::string::npos) {
    digest = rest.substr(at + 1);
    rest = rest.substr(0, at);
    if (!valid_digest(digest))
      throw kit::usage_error("'" + text + "': digest '" + digest + "' is not sha256: followed by 64 lower-case hex digits");
  }
  std::string tag;
  size_t last_slash = rest.rfind('/');
  size_t colon = rest.rfind(':');
  if (colon != std::string::npos && (last_slash == std::string::npos || colon > last_slash)) {
    tag = rest.substr(colon + 1);
    rest = rest.substr(0, colon);
    if (!valid_tag(tag))
      throw kit::usage_error("'" + text + "': tag '" + tag + "' is not valid (letters, digits, _ . -, at most 128, not starting with . or -)");
  }
  // "127.0.0.1:5000", "localhost:5000", "registry.example.com": a registry with no repository.
  // Docker would read it as a Docker Hub repository named after the host (with the port as a
  // tag) and the request would go to Docker Hub: refused here, as the user meant a registry.
  bool port_like = !tag.empty() && tag.find_first_not_of("0123456789") == std::string::npos;
  if (rest.find('/') == std::string::npos && (port_like || tag.empty()) &&
      (rest.find('.') != std::string::npos || rest == "localhost"))
    throw kit::usage_error("'" + text + "' names a registry (" + rest + (tag.empty() ? "" : ":" + tag) +
                               ") but no repository: give REGISTRY/REPOSITORY[:TAG]");
  Reference ref = split_name(text, rest);
  ref.tag = tag;
  ref.digest = digest;
  if (ref.tag.empty() && ref.digest.empty()) ref.tag = default_tag;
  return ref;
}

Reference parse_repository(const std::string& text) {
  Reference ref = parse_reference(text, "");
  if (!ref.tag.empty() || !ref.digest.empty())
    throw kit::usage_error("'" + text + "' names a tag or digest; give the repository only and the tag with --tag");
  return ref;
}

std::string api_host(const std::string& registry) {
  return registry == "docker.io" ? "registry-1.docker.io" : registry;
}

}  // namespace image_promote
