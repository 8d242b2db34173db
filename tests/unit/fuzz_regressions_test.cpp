// Inputs the libFuzzer harnesses (tests/fuzz, docs/fuzzing.md) found crashing, each reduced to
// what triggers it. Each failed before the fix named beside it.
#include <doctest/doctest.h>

#include <string>

#include "health-gate/checks.hpp"
#include "image-promote/manifest.hpp"
#include "image-promote/reference.hpp"
#include "image-promote/trivy.hpp"
#include "kit/error.hpp"
#include "kit/env.hpp"
#include "kit/retry.hpp"
#include "kit/secrets.hpp"
#include "pg/target.hpp"
#include "migrate-guard/migrations.hpp"

TEST_CASE("fuzz: a Retry-After date centuries ahead is a capped wait, not a signed overflow (kit/retry.cpp)") {
  // retry_after_fuzz: "Nov512209990 4" is read by curl_getdate as a date in year ~5 billion;
  // (when - now) * 1000 overflowed int64 (UBSan).
  const std::int64_t now = 1'795'000'000;
  auto r = kit::parse_retry_after("Nov512209990 4", now);
  REQUIRE(r);
  CHECK(r->count() > 0);
  CHECK(*r <= kit::Millis(366LL * 24 * 3600 * 1000));
  CHECK(*r > kit::RetryPolicy{}.max_retry_after);  // still "too long to wait" for every caller
  // Past dates stay "now".
  auto past = kit::parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now);
  REQUIRE(past);
  CHECK(past->count() == 0);
}

namespace {
image_promote::GateResult evaluate(const std::string& report) {
  image_promote::GatePolicy policy;
  policy.threshold = image_promote::Severity::high;
  return image_promote::evaluate_report(report, policy);
}
}  // namespace

TEST_CASE("fuzz: a Trivy report with fields of the wrong type is read, not an internal error (image-promote/trivy.cpp)") {
  // trivy_fuzz: "ArtifactName": {...} threw nlohmann's type_error.302 out of evaluate_report.
  CHECK_NOTHROW(evaluate(R"({"SchemaVersion":2,"ArtifactName":{"OS":{}}})"));
  CHECK(evaluate(R"({"SchemaVersion":2,"ArtifactName":{"OS":{}}})").artifact.empty());
  // Fields of other types are read as absent; a list that is not a list, an entry that is not an
  // object or a severity Trivy never writes fail closed (a usage error: nothing judged), never a
  // type_error out of the gate.
  auto r = evaluate(R"({"SchemaVersion":2,"ArtifactName":"x","Results":[
      {"Target":7,"Vulnerabilities":[{"VulnerabilityID":"CVE-1","PkgName":["p"],"Severity":"LOW","FixedVersion":{}},
       {"VulnerabilityID":"CVE-2","PkgName":"q","InstalledVersion":"1","Severity":"CRITICAL","Title":false}]}]})");
  CHECK(r.total == 2);
  REQUIRE(r.blocking.size() == 1);
  CHECK(r.blocking[0].id == "CVE-2");
  CHECK(r.blocking[0].title.empty());
  for (const char* bad : {R"({"SchemaVersion":2,"Results":[1,"a",null]})",
                          R"({"SchemaVersion":2,"Results":{"a":{"Vulnerabilities":[{"Severity":"CRITICAL"}]}}})",
                          R"({"SchemaVersion":2,"Results":[{"Vulnerabilities":{"x":{"Severity":"CRITICAL"}}}]})",
                          R"({"SchemaVersion":2,"Results":[{"Vulnerabilities":[3]}]})",
                          R"({"SchemaVersion":2,"Results":[{"Vulnerabilities":[{"VulnerabilityID":"C","Severity":4}]}]})",
                          R"({"SchemaVersion":2,"Results":[{"Vulnerabilities":[{"VulnerabilityID":"C","Severity":"CRIT"}]}]})"}) {
    try {
      evaluate(bad);
      FAIL("accepted " << bad);
    } catch (const kit::Error& e) {
      CHECK(e.code() == kit::Exit::usage);
    }
  }
}

TEST_CASE("fuzz: a Trivy report nested 100000 levels deep is refused like any untrusted JSON (image-promote/trivy.cpp)") {
  // Bounded as kit/untrusted_json.hpp bounds every other untrusted document (dump() recurses per level).
  std::string deep = R"({"SchemaVersion":2,"Results":)" + std::string(100000, '[') + std::string(100000, ']') + "}";
  try {
    evaluate(deep);
    FAIL("a report nested that deep was accepted");
  } catch (const kit::Error& e) {
    CHECK(e.code() == kit::Exit::usage);
    CHECK(std::string(e.what()).find("nests deeper") != std::string::npos);
  }
}

TEST_CASE("fuzz: a migration_lock.toml line of 1 MB is read, not a stack overflow (migrate-guard/migrations.cpp)") {
  // lock_toml_fuzz: std::regex recursed once per character of the quoted value (SIGSEGV).
  std::string big(1 << 20, 'p');
  CHECK(migrate_guard::check_lock_toml("comment = \"" + big + "\"\nprovider = \"postgresql\"\n").empty());
  CHECK(migrate_guard::check_lock_toml("provider = \"" + big + "\"\n").find("its provider is") == 0);
  // The same grammar as before.
  CHECK(migrate_guard::check_lock_toml("provider = \"postgresql\"").empty());
  CHECK(migrate_guard::check_lock_toml("# c\nprovider=\"postgres\" # x\n_k-1 = \"\"\n").empty());
  CHECK(migrate_guard::check_lock_toml("provider = \"mysql\"") == "its provider is \"mysql\", not \"postgresql\"");
  CHECK(migrate_guard::check_lock_toml("provider = \"a\"b\"") == "line 1 is not `key = \"value\"`");
  CHECK(migrate_guard::check_lock_toml("1provider = \"postgresql\"") == "line 1 is not `key = \"value\"`");
  CHECK(migrate_guard::check_lock_toml("provider = postgresql") == "line 1 is not `key = \"value\"`");
  CHECK(migrate_guard::check_lock_toml("provider \t=\t \"postgresql\"").empty());
  CHECK(migrate_guard::check_lock_toml("provider = \"postgresql\" x") == "line 1 is not `key = \"value\"`");
}

TEST_CASE("fuzz: an image reference with a 1 MB registry host is a usage error, not a stack overflow (image-promote/reference.cpp)") {
  // reference_fuzz: std::regex recursed once per character of the host.
  std::string ref = "x." + std::string(1 << 20, 'a') + ".com/team/app:1";
  try {
    image_promote::parse_reference(ref);
    FAIL("a 1 MB host was accepted");
  } catch (const kit::Error& e) {
    CHECK(e.code() == kit::Exit::usage);
    CHECK(std::string(e.what()).find("longer than 253") != std::string::npos);
    CHECK(std::string(e.what()).size() < 200);
  }
  // A host of 253 characters with a port is still a host.
  std::string host = std::string(249, 'a') + ".com";
  CHECK(image_promote::parse_reference(host + ":5000/team/app:1").registry == host + ":5000");
}

TEST_CASE("fuzz: a database URL whose user name holds white space keeps its password out of the display (pg/target.cpp)") {
  // prisma_url_fuzz: libpq reads user "u ses" and password "s3cret"; redact_url stopped at the space.
  kit::Env env(std::map<std::string, std::string>{});
  for (const char* sep : {" ", "\t"}) {
    std::string url = std::string("postgresql://u") + sep + "ses:s3cret@localhost:5432/db?schema=app";
    pg::DbTarget t = pg::resolve_target(url, "--database-url", env);
    CHECK(t.display.find("s3cret") == std::string::npos);
    CHECK(t.display == std::string("postgresql://u") + sep + "ses:***@localhost:5432/db?schema=app");
  }
  CHECK(pg::resolve_target("postgresql://user:p%40ss@db:5432/app", "--database-url", env).display ==
        "postgresql://user:***@db:5432/app");
  CHECK(pg::resolve_target("postgresql://user@db:5432/app", "--database-url", env).display == "postgresql://user@db:5432/app");
  CHECK(pg::resolve_target("postgresql://db:5432/app", "--database-url", env).display == "postgresql://db:5432/app");
  kit::secrets().clear();
}

namespace {
// A registry's answer the manifest reader refuses as "malformed manifest" (exit 3), not an internal error.
void check_malformed_manifest(const char* body) {
  try {
    image_promote::parse_manifest(body, image_promote::media::oci_manifest);
    FAIL("accepted: " << body);
  } catch (const kit::Error& e) {
    CHECK(e.code() == kit::Exit::environment);
    CHECK(std::string(e.what()).find("malformed manifest") == 0);
  }
}
}  // namespace

TEST_CASE("fuzz: a manifest whose top-level fields have another type is an environment error, not an internal one (image-promote/manifest.cpp)") {
  // manifest_fuzz: "schemaVersion": "..." threw nlohmann's type_error.302 out of parse_manifest.
  for (const char* body : {R"({"schemaVersion":"ae+json","config":{"mediaType":"x","size":10}})",
                           R"({"schemaVersion":2,"mediaType":7,"layers":[]})", R"({"schemaVersion":2,"artifactType":[],"layers":[]})"}) {
    check_malformed_manifest(body);
  }
}

TEST_CASE("fuzz: a descriptor size or schemaVersion no int64 holds is refused, not converted (image-promote/manifest.cpp)") {
  // manifest_fuzz (CI, 2026-11): "size": 1e300 reached nlohmann's float-to-int64 conversion,
  // undefined behaviour reported by UBSan at from_json.hpp.
  for (const char* body : {R"({"schemaVersion":2,"layers":[{"digest":"sha256:00","size":1e300}]})",
                           R"({"schemaVersion":2,"config":{"size":-1}})", R"({"schemaVersion":2,"layers":[{"size":2.5}]})",
                           R"({"schemaVersion":2,"layers":[{"size":18446744073709551615}]})",
                           R"({"schemaVersion":1e300,"layers":[]})", R"({"schemaVersion":3,"layers":[]})"}) {
    check_malformed_manifest(body);
  }
  // Sizes that each fit but together pass INT64_MAX saturate instead of overflowing.
  auto m = image_promote::parse_manifest(
      R"({"schemaVersion":2,"config":{"size":9223372036854775807},"layers":[{"size":9223372036854775807}]})",
      image_promote::media::oci_manifest);
  CHECK(m.total_size() == INT64_MAX);
}

TEST_CASE("an index served under a manifest Content-Type, without its own mediaType, keeps an index type (image-promote/manifest.cpp)") {
  // Seen by manifest_fuzz (seed index-served-as-manifest): read as an index, but its media type
  // stayed the manifest's, which is what a copy PUTs it with.
  const char* body = R"({"schemaVersion":2,"manifests":[]})";
  auto oci = image_promote::parse_manifest(body, image_promote::media::oci_manifest);
  CHECK(oci.is_index);
  CHECK(oci.media_type == image_promote::media::oci_index);
  auto docker = image_promote::parse_manifest(body, image_promote::media::docker_manifest);
  CHECK(docker.media_type == image_promote::media::docker_list);
}

TEST_CASE("fuzz: a Terminus indicator whose status is not a string is a verdict, not an internal error (health-gate/terminus.cpp)") {
  // health_body_fuzz, session 6: nlohmann's value("status", "") threw type_error out of judge(),
  // so the tool exited 3 and --on-failure (the rollback) never ran.
  kit::HttpResponse r;
  r.status = 503;
  r.body = R"({"status":"error","info":{},"error":{"database":{"status":{"status":"down"}},"redis":{"status":7}},"details":{}})";
  health_gate::Checks checks;
  health_gate::ProbeResult p;
  CHECK_NOTHROW(p = health_gate::judge("/health", r, checks));
  CHECK_FALSE(p.healthy());
  CHECK(p.failing_indicators.size() == 2);
}
