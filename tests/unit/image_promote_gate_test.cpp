#include <doctest/doctest.h>

#include "image-promote/trivy.hpp"
#include "kit/error.hpp"

using namespace image_promote;

namespace {
const char* kReport = R"({
  "SchemaVersion": 2, "ArtifactName": "ghcr.io/yonima/backend:sha-abc", "ArtifactType": "container_image",
  "Results": [
    {"Target": "debian 12", "Class": "os-pkgs", "Type": "debian", "Vulnerabilities": [
      {"VulnerabilityID": "CVE-2024-0001", "PkgName": "openssl", "InstalledVersion": "3.0.11", "FixedVersion": "3.0.13", "Severity": "CRITICAL", "Title": "a"},
      {"VulnerabilityID": "CVE-2024-0002", "PkgName": "zlib", "InstalledVersion": "1.2.13", "FixedVersion": "", "Severity": "HIGH", "Title": "b"},
      {"VulnerabilityID": "CVE-2024-0003", "PkgName": "bash", "InstalledVersion": "5.2", "Severity": "MEDIUM", "Title": "c"}]},
    {"Target": "app/package-lock.json", "Class": "lang-pkgs", "Type": "npm"}
  ]})";
}

TEST_CASE("image-promote gate: threshold is the lowest listed severity") {
  CHECK(threshold_of({"HIGH,CRITICAL"}) == Severity::high);
  CHECK(threshold_of({"critical"}) == Severity::critical);
  CHECK_THROWS_AS(threshold_of({"SEVERE"}), kit::Error);
  CHECK_THROWS_AS(threshold_of({""}), kit::Error);
}

TEST_CASE("image-promote gate: findings at or above the threshold block") {
  GatePolicy p;
  p.threshold = Severity::high;
  auto g = evaluate_report(kReport, p);
  CHECK(g.total == 3);
  CHECK(g.blocked());
  REQUIRE(g.blocking.size() == 2);
  CHECK(g.blocking[0].id == "CVE-2024-0001");  // critical first
  CHECK(g.counts[Severity::medium] == 1);

  p.ignore_unfixed = true;
  g = evaluate_report(kReport, p);
  REQUIRE(g.blocking.size() == 1);
  CHECK(g.ignored.size() == 1);

  p.ignore = parse_trivyignore("# accepted\nCVE-2024-0001 exp:2099-01-01\n");
  g = evaluate_report(kReport, p);
  CHECK_FALSE(g.blocked());

  p.ignore = parse_trivyignore("CVE-2024-0001 exp:2020-01-01\n");
  p.today = "2026-01-01";
  CHECK(evaluate_report(kReport, p).blocked());  // expired rules no longer ignore

  p = GatePolicy{};
  p.threshold = Severity::critical;
  CHECK(evaluate_report(kReport, p).blocking.size() == 1);
}

TEST_CASE("image-promote gate: not a Trivy report is a usage error") {
  GatePolicy p;
  CHECK_THROWS_AS(evaluate_report("not json", p), kit::Error);
  CHECK_THROWS_AS(evaluate_report(R"({"Results": []})", p), kit::Error);
  CHECK_THROWS_AS(evaluate_report(R"({"SchemaVersion": 1})", p), kit::Error);
  CHECK_FALSE(evaluate_report(R"({"SchemaVersion": 2})", p).blocked());
}

TEST_CASE("image-promote gate: a finding repeated under several targets counts once") {
  const char* report = R"({"SchemaVersion": 2, "Results": [
    {"Target": "app/package-lock.json", "Vulnerabilities": [
      {"VulnerabilityID": "GHSA-1", "PkgName": "braces", "InstalledVersion": "3.0.2", "FixedVersion": "3.0.3", "Severity": "HIGH"}]},
    {"Target": "app/node_modules/.package-lock.json", "Vulnerabilities": [
      {"VulnerabilityID": "GHSA-1", "PkgName": "braces", "InstalledVersion": "3.0.2", "FixedVersion": "3.0.3", "Severity": "HIGH"},
      {"VulnerabilityID": "GHSA-1", "PkgName": "braces", "InstalledVersion": "2.3.2", "FixedVersion": "3.0.3", "Severity": "HIGH"}]},
    {"Target": "app/.env", "Class": "secret", "Secrets": [{"RuleID": "generic-api-key", "Severity": "CRITICAL"}]}]})";
  GatePolicy p;
  auto g = evaluate_report(report, p);
  CHECK(g.total == 2);
  CHECK(g.duplicates == 1);
  REQUIRE(g.blocking.size() == 2);
  CHECK(g.blocking[0].target == "app/package-lock.json");  // the first place it was listed
  CHECK(g.counts[Severity::high] == 2);
  CHECK(g.counts[Severity::critical] == 0);  // secrets are not judged
}

TEST_CASE("image-promote gate: a repeated finding is judged at its highest severity, whatever the order") {
  const char* report = R"({"SchemaVersion": 2, "Results": [
    {"Target": "a", "Vulnerabilities": [{"VulnerabilityID": "CVE-9", "PkgName": "p", "InstalledVersion": "1", "Severity": "LOW"}]},
    {"Target": "b", "Vulnerabilities": [{"VulnerabilityID": "CVE-9", "PkgName": "p", "InstalledVersion": "1", "Severity": "critical "}]}]})";
  GatePolicy p;
  p.threshold = Severity::high;
  auto g = evaluate_report(report, p);
  CHECK(g.total == 1);
  REQUIRE(g.blocking.size() == 1);
  CHECK(g.blocking[0].severity == Severity::critical);
  CHECK(g.blocking[0].target == "b");
}

TEST_CASE("image-promote gate: an expiry that is not a date is refused, not kept forever") {
  for (const char* bad : {"CVE-1 exp:never\n", "CVE-1 exp:2O25-01-01\n", "CVE-1 exp:2025-02-30\n", "CVE-1 exp:2025-1-1\n",
                          "CVE-1 exp:2025-02-29\n"})
    CHECK_THROWS_AS(parse_trivyignore(bad), kit::Error);
  CHECK(parse_trivyignore("CVE-1 exp:2024-02-29 # leap\n").at(0).expires == "2024-02-29");
}

TEST_CASE("image-promote gate: the digests a report names for its image") {
  std::string a = "sha256:" + std::string(64, 'a'), b = "sha256:" + std::string(64, 'b'), c = "sha256:" + std::string(64, 'c');
  std::string report = R"({"SchemaVersion": 2, "ArtifactName": "ghcr.io/yonima/backend@)" + a +
                       R"(", "Metadata": {"ImageID": ")" + c + R"(", "RepoDigests": ["ghcr.io/yonima/backend@)" + a +
                       R"(", "registry.example/backend@)" + b + R"(", "no-digest:tag"]}})";
  auto g = evaluate_report(report, GatePolicy{});
  REQUIRE(g.image_digests.size() == 4);
  CHECK(g.image_digests[0].digest == a);
  CHECK(g.image_digests[0].field == "ArtifactName");
  CHECK(g.image_digests[1].field == "Metadata.RepoDigests");
  CHECK(g.image_digests[2].digest == b);
  CHECK(g.image_digests[3].digest == c);
  CHECK(g.image_digests[3].field == "Metadata.ImageID");
  // A tag-only ArtifactName and no Metadata name nothing.
  CHECK(evaluate_report(R"({"SchemaVersion": 2, "ArtifactName": "backend:sha-1"})", GatePolicy{}).image_digests.empty());
  CHECK(evaluate_report(R"({"SchemaVersion": 2, "ArtifactName": "backend@sha256:short"})", GatePolicy{}).image_digests.empty());

  auto tie = tie_report_to_image(g.image_digests, {c});  // the config digest alone ties it
  CHECK(tie.kind == ImageTie::matched);
  CHECK(tie.unmatched.size() == 3);
  CHECK(tie_report_to_image(g.image_digests, {"sha256:" + std::string(64, 'd')}).kind == ImageTie::foreign);
  CHECK(tie_report_to_image({}, {a}).kind == ImageTie::unchecked);
}
