#include <doctest/doctest.h>

#include "image-promote/reference.hpp"
#include "kit/error.hpp"

using namespace image_promote;

namespace {
kit::Exit code_of(const std::string& text) {
  try {
    parse_reference(text);
  } catch (const kit::Error& e) {
    return e.code();
  }
  return kit::Exit::ok;
}
const std::string kDigest = "sha256:" + std::string(64, 'a');
}  // namespace

TEST_CASE("image-promote reference: Docker Hub names are normalised") {
  auto r = parse_reference("nginx");
  CHECK(r.registry == "docker.io");
  CHECK(r.repository == "library/nginx");
  CHECK(r.tag == "latest");
  CHECK(r.str() == "docker.io/library/nginx:latest");
  CHECK(parse_reference("yonima/backend:1.2").repository == "yonima/backend");
  CHECK(parse_reference("index.docker.io/library/redis").registry == "docker.io");
  CHECK(api_host("docker.io") == "registry-1.docker.io");
  CHECK(api_host("ghcr.io") == "ghcr.io");
}

TEST_CASE("image-promote reference: registries with ports, tags and digests") {
  auto r = parse_reference("127.0.0.1:5000/team/app:sha-abc123");
  CHECK(r.registry == "127.0.0.1:5000");
  CHECK(r.repository == "team/app");
  CHECK(r.tag == "sha-abc123");
  CHECK(r.reference() == "sha-abc123");

  auto d = parse_reference("ghcr.io/yonima/backend@" + kDigest);
  CHECK(d.tag.empty());
  CHECK(d.digest == kDigest);
  CHECK(d.reference() == kDigest);

  auto both = parse_reference("localhost:5000/app:v1@" + kDigest);
  CHECK(both.registry == "localhost:5000");
  CHECK(both.tag == "v1");
  CHECK(both.reference() == kDigest);  // the digest wins
  CHECK(both.str() == "localhost:5000/app:v1@" + kDigest);

  CHECK(parse_reference("localhost/app", "").tag.empty());
  CHECK(parse_reference("localhost/app").registry == "localhost");
}

TEST_CASE("image-promote reference: bad references are usage errors") {
  CHECK(code_of("") == kit::Exit::usage);
  CHECK(code_of("UPPER/case") == kit::Exit::usage);
  CHECK(code_of("ghcr.io/app@sha256:abc") == kit::Exit::usage);
  CHECK(code_of("ghcr.io/app:-bad") == kit::Exit::usage);
  CHECK(code_of("ghcr.io/a b") == kit::Exit::usage);
  CHECK(code_of("ghcr.io/app/") == kit::Exit::usage);
  // A registry without a repository (issue 9, item 24): exit 2, not a request to Docker Hub.
  CHECK(code_of("127.0.0.1:5000") == kit::Exit::usage);
  CHECK(code_of("localhost:5000") == kit::Exit::usage);
  CHECK(code_of("registry.example.com") == kit::Exit::usage);
  CHECK_THROWS_AS(parse_repository("127.0.0.1:5000"), kit::Error);
  CHECK(parse_reference("nginx:1.25").repository == "library/nginx");
  CHECK(parse_reference("localhost:5000/app").repository == "app");
  CHECK_THROWS_AS(parse_repository("ghcr.io/app:v1"), kit::Error);
  CHECK(parse_repository("ghcr.io/yonima/app").repository == "yonima/app");
}

TEST_CASE("image-promote reference: tag and digest validity") {
  CHECK(valid_tag("_yonima-history-production"));
  CHECK(valid_tag(std::string(128, 'a')));
  CHECK_FALSE(valid_tag(std::string(129, 'a')));
  CHECK_FALSE(valid_tag(".hidden"));
  CHECK(valid_digest(kDigest));
  CHECK_FALSE(valid_digest("sha256:" + std::string(64, 'A')));
  CHECK_FALSE(valid_digest("sha512:" + std::string(64, 'a')));
}
