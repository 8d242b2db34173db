#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "image-promote/auth.hpp"
#include "image-promote/digest.hpp"
#include "kit/error.hpp"
#include "kit/process.hpp"

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
  s.auth_files = {dir.string() + "/config.json"};
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

TEST_CASE("image-promote auth: podman/skopeo auth files first, as containers-auth.json(5) orders them") {
  auto dir = std::filesystem::temp_directory_path() / "image-promote-authfile-test";
  std::filesystem::create_directories(dir / "run/containers");
  std::filesystem::create_directories(dir / "home/.config/containers");
  std::filesystem::create_directories(dir / "home/.docker");
  auto write = [&](const std::filesystem::path& p, const std::string& user) {
    std::ofstream f(p);
    f << R"({"auths": {"reg.example": {"auth": ")" << base64_encode(user + ":pw") << R"("}}})";
  };
  write(dir / "explicit.json", "from-registry-auth-file");
  write(dir / "run/containers/auth.json", "from-xdg-runtime");
  write(dir / "home/.config/containers/auth.json", "from-xdg-config");
  write(dir / "home/.docker/config.json", "from-docker");
  std::string d = dir.string();
  auto user = [&](std::map<std::string, std::string> vars) {
    vars["HOME"] = d + "/home";
    return lookup_credential(credential_sources(kit::Env(vars), "", ""), "reg.example").username;
  };
  CHECK(user({{"REGISTRY_AUTH_FILE", d + "/explicit.json"}, {"XDG_RUNTIME_DIR", d + "/run"}}) == "from-registry-auth-file");
  CHECK(user({{"XDG_RUNTIME_DIR", d + "/run"}}) == "from-xdg-runtime");
  CHECK(user({}) == "from-xdg-config");
  std::filesystem::remove(dir / "home/.config/containers/auth.json");
  CHECK(user({}) == "from-docker");
  // A file that does not know the registry passes the question on.
  write(dir / "explicit.json", "x");
  {
    std::ofstream f(dir / "explicit.json");
    f << R"({"auths": {"other.example": {"auth": ")" << base64_encode("o:pw") << R"("}}})";
  }
  CHECK(user({{"REGISTRY_AUTH_FILE", d + "/explicit.json"}}) == "from-docker");
  auto c = lookup_credential(credential_sources(kit::Env({{"REGISTRY_AUTH_FILE", d + "/run/containers/auth.json"}}), "", ""),
                             "reg.example");
  CHECK(c.source.find("containers auth file") != std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST_CASE("image-promote auth: a credential helper that exits before reading its stdin is an error, not SIGPIPE") {
  auto dir = std::filesystem::temp_directory_path() / "image-promote-helper-test";
  std::filesystem::create_directories(dir);
  {
    std::ofstream f(dir / "docker-credential-early");
    f << "#!/bin/sh\nexec 0<&-\necho 'gone' >&2\nexit 3\n";
  }
  std::filesystem::permissions(dir / "docker-credential-early", std::filesystem::perms::owner_all);
  {
    std::ofstream f(dir / "config.json");
    f << R"({"credHelpers": {"reg.example": "early"}})";
  }
  std::string old_path = std::getenv("PATH") ? std::getenv("PATH") : "";
  setenv("PATH", (dir.string() + ":" + old_path).c_str(), 1);
  CredentialSources s;
  s.auth_files = {dir.string() + "/config.json"};
  for (int i = 0; i < 5; ++i) CHECK_THROWS_AS(lookup_credential(s, "reg.example"), kit::Error);
  setenv("PATH", old_path.c_str(), 1);
  std::filesystem::remove_all(dir);
  // The cause, made certain: more standard input than a pipe holds, to a child that never reads
  // it. The write fails with EPIPE; before the fix SIGPIPE killed this test binary.
  kit::ProcessSpec spec;
  spec.argv = {"true"};
  spec.stdin_data = std::string(1 << 20, 'x');
  spec.timeout = kit::Millis{10'000};
  auto r = kit::run_process(spec);
  CHECK(r.started);
  CHECK(r.exit_code == 0);
}

TEST_CASE("image-promote auth: a helper name that is a path is refused before anything runs") {
  // docker would exec "docker-credential-x/../../evil" relative to the working directory.
  auto dir = std::filesystem::temp_directory_path() / "image-promote-helper-path-test";
  std::filesystem::create_directories(dir / "docker-credential-x");
  {
    std::ofstream f(dir / "ran.sh");
    f << "#!/bin/sh\ntouch " << (dir / "ran").string() << "\necho '{\"Username\":\"u\",\"Secret\":\"s\"}'\n";
  }
  std::filesystem::permissions(dir / "ran.sh", std::filesystem::perms::owner_all);
  auto old_cwd = std::filesystem::current_path();
  std::filesystem::current_path(dir);
  for (const char* store : {R"({"credsStore": "x/../ran.sh"})", R"({"credHelpers": {"reg.example": "x/../ran.sh"}})",
                            R"({"credsStore": ".."})", R"({"credsStore": "a b"})"}) {
    {
      std::ofstream f(dir / "config.json");
      f << store;
    }
    CredentialSources s;
    s.auth_files = {(dir / "config.json").string()};
    try {
      lookup_credential(s, "reg.example");
      FAIL("accepted " << store);
    } catch (const kit::Error& e) {
      CHECK(e.code() == kit::Exit::usage);
      CHECK(std::string(e.what()).find("not a plain program name") != std::string::npos);
    }
  }
  // An empty credHelpers entry is docker's "no helper here": the auths entry answers.
  {
    std::ofstream f(dir / "config.json");
    f << R"({"credHelpers": {"reg.example": ""}, "auths": {"reg.example": {"auth": "dTpw"}}})";
  }
  CredentialSources s;
  s.auth_files = {(dir / "config.json").string()};
  CHECK(lookup_credential(s, "reg.example").username == "u");
  std::filesystem::current_path(old_cwd);
  CHECK_FALSE(std::filesystem::exists(dir / "ran"));
  std::filesystem::remove_all(dir);
}
