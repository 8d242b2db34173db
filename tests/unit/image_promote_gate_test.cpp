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
