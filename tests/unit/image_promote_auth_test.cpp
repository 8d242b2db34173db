#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "image-promote/auth.hpp"
#include "image-promote/digest.hpp"
#include "kit/error.hpp"

using namespace image_promote;

TEST_CASE("image-promote auth: WWW-Authenticate challenges") {
  auto c = parse_challenge(R"(Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push")");
  REQUIRE(c);
  CHECK(c->scheme == "bearer");
  CHECK(c->params["realm"] == "https://auth.example/token");
  CHECK(c->params["service"] == "registry.example");
  CHECK(c->params["scope"] == "repository:a/b:pull,push");
  auto b = parse_challenge(R"(Basic realm="yonima-test")");
  REQUIRE(b);
  CHECK(b->scheme == "basic");
  CHECK_FALSE(parse_challenge("Negotiate abc"));
}

TEST_CASE("image-promote auth: base64 and digests come from OpenSSL") {
  CHECK(base64_encode("ci:s3cret") == "Y2k6czNjcmV0");
  CHECK(base64_decode("Y2k6czNjcmV0") == "ci:s3cret");
  CHECK(base64_decode("YQ==") == "a");
  CHECK_THROWS_AS(base64_decode("abc"), kit::Error);
  CHECK(sha256_digest("{}") == "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");
  Sha256 h;
  h.update("{", 1);
  h.update("}", 1);
  CHECK(h.digest() == sha256_digest("{}"));
}

TEST_CASE("image-promote auth: credential sources in order") {
  auto dir = std::filesystem::temp_directory_path() / "image-promote-auth-test";
  std::filesystem::create_directories(dir);
  {
    std::ofstream f(dir / "config.json");
    f << R"({"auths": {"reg.example:5000": {"auth": ")" << base64_encode("alice:pw1") << R"("},
                       "https://index.docker.io/v1/": {"auth": ")" << base64_encode("bob:pw2") << R"("},
                       "tok.example": {"identitytoken": "refresh-me"}}})";
  }
  CredentialSources s;
  s.docker_config_dir = dir.string();
  auto c = lookup_credential(s, "reg.example:5000");
  CHECK(c.username == "alice");
  CHECK(c.password == "pw1");
  CHECK(lookup_credential(s, "docker.io").username == "bob");
  CHECK(lookup_credential(s, "tok.example").identity_token == "refresh-me");
  CHECK(lookup_credential(s, "other.example").empty());

  s.github_token = "ghs_x";
  CHECK(lookup_credential(s, "ghcr.io").password == "ghs_x");
  CHECK(lookup_credential(s, "ghcr.io").source == "GITHUB_TOKEN");
  s.explicit_credential = Credential{"ci", "pw", "", "--username"};
  CHECK(lookup_credential(s, "reg.example:5000").username == "ci");

  kit::Env env(std::map<std::string, std::string>{{"REGISTRY_USERNAME", "u"}, {"REGISTRY_PASSWORD", "p"}});
  CHECK(credential_sources(env, "", "").explicit_credential->source == "REGISTRY_USERNAME");
  kit::Env half(std::map<std::string, std::string>{{"REGISTRY_USERNAME", "u"}});
  CHECK_THROWS_AS(credential_sources(half, "", ""), kit::Error);
  CHECK_THROWS_AS(credential_sources(env, "only-user", ""), kit::Error);
  std::filesystem::remove_all(dir);
}
