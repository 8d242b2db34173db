// Plans are values: built from a request and what was read, with no registry.
#include <doctest/doctest.h>

#include <thread>

#include "image-promote/copy.hpp"
#include "image-promote/promote.hpp"
#include "kit/error.hpp"

using namespace image_promote;

namespace {

const std::string A = "sha256:" + std::string(64, 'a');
const std::string B = "sha256:" + std::string(64, 'b');
const std::string C = "sha256:" + std::string(64, 'c');

Manifest index_of_two() {
  return parse_manifest(R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[
    {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":")" + A + R"(","size":10,"platform":{"os":"linux","architecture":"amd64"}},
    {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":")" + B + R"(","size":10,"platform":{"os":"linux","architecture":"arm64"}}]})",
                        "");
}

HistoryEntry entry(const std::string& digest, const std::string& previous) {
  return HistoryEntry{digest, previous, "2026-11-28T00:00:00Z", "promote", "", "", ""};
}

}  // namespace

TEST_CASE("image-promote plan: promote copies once per other repository, then moves every tag in order") {
  Manifest image = index_of_two();
  PromoteRequest req;
  req.source = parse_reference("reg.example/team/app@" + image.digest);
  req.targets = {req.source.with_tag("staging"), parse_reference("other.example/prod/app:live"),
                 parse_reference("other.example/prod/app:stable"), req.source.with_tag("production")};
  req.expect_current = B;
  PromotePlan plan = plan_promote(req, image);
  REQUIRE(plan.copies.size() == 1);
  CHECK(plan.copies[0].to.repo_name() == "other.example/prod/app");
  CHECK(plan.copies[0].from.digest == image.digest);
  REQUIRE(plan.moves.size() == 4);
  CHECK(plan.moves[0].target.str() == "reg.example/team/app:staging");
  CHECK(plan.moves[3].target.tag == "production");
  CHECK(plan.moves[1].expect_current == B);
  CHECK(plan.platforms_needed);
  CHECK(plan.move_options.source == "reg.example/team/app@" + image.digest);
  auto lines = describe(plan);
  REQUIRE(lines.size() == 5);
  CHECK(lines[0].find("copy ") == 0);
  CHECK(lines[4].find("move reg.example/team/app:production to " + image.digest) == 0);

  // A single image retagged inside its repository: no copy, and no config read for platforms.
  Manifest single = parse_manifest(R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",
    "config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":")" + C + R"(","size":2},"layers":[]})", "");
  req.targets = {req.source.with_tag("production")};
  req.source = parse_reference("reg.example/team/app:sha-1");
  plan = plan_promote(req, single);
  CHECK(plan.copies.empty());
  CHECK_FALSE(plan.platforms_needed);
  CHECK(plan.move_options.source == "reg.example/team/app:sha-1@" + single.digest);
}

TEST_CASE("image-promote plan: copy filters platforms and keeps the source's tag") {
  Manifest image = index_of_two();
  CopyRequest req;
  req.source = parse_reference("a.example/team/app:v1");
  req.destination = parse_reference("b.example/team/app", "");
  CopyPlan plan = plan_copy(req, image);
  CHECK(plan.destination.tag == "v1");
  CHECK(plan.root.digest == image.digest);
  CHECK(plan.referrers);
  req.platforms = {"linux/arm64"};
  plan = plan_copy(req, image);
  REQUIRE(plan.root.children.size() == 1);
  CHECK(plan.root.digest != image.digest);
  CHECK(plan.warnings.size() == 1);
  req.platforms = {"linux/s390x"};
  CHECK_THROWS_AS(plan_copy(req, image), kit::Error);
  req.platforms.clear();
  req.destination = parse_reference("b.example/team/app@" + A, "");
  CHECK_THROWS_AS(plan_copy(req, image), kit::Error);
}

TEST_CASE("image-promote plan: --steps N goes back N promotions, never counting rollbacks") {
  const std::string D = "sha256:" + std::string(64, 'd');
  History h;
  h.tag = "production";
  // D1, D2, D3 promoted; D3 rolled back to D2; D4 promoted (over D2). Newest first.
  h.entries = {entry(D, B), entry(B, C), entry(C, B), entry(B, A), entry(A, "")};
  h.entries[1].action = "rollback";
  RollbackRequest req;
  req.repository = parse_repository("reg.example/team/app");
  req.tag = "production";
  req.steps = 2;
  req.expect_current = D;
  RollbackPlan plan = plan_rollback(req, h, D);
  REQUIRE_FALSE(plan.refusal);
  CHECK(plan.to == A);  // D -> B -> A; counting entries gave C, the release rolled back as bad
  req.steps = 3;
  CHECK_THROWS_AS(plan_rollback(req, h, D), kit::Error);  // past the first promotion
  req.steps = 2;
  req.expect_current.reset();
  CHECK(plan_rollback(req, h, C).to == A);  // from wherever the tag is: C -> B -> A
  CHECK_THROWS_AS(plan_rollback(req, h, "sha256:" + std::string(64, 'e')), kit::Error);  // moved outside image-promote
}

TEST_CASE("image-promote plan: rollback guards (issue 9, item 10)") {
  // A, B promoted; C refused by the gate: the tag still points at B.
  History h;
  h.tag = "production";
  h.entries = {entry(B, A), entry(A, "")};
  RollbackRequest req;
  req.repository = parse_repository("reg.example/team/app");
  req.tag = "production";

  // Unguarded: back to A (what B replaced).
  RollbackPlan plan = plan_rollback(req, h, B);
  CHECK_FALSE(plan.refusal);
  CHECK(plan.to == A);
  CHECK(plan.move.expect_current == B);

  // The workflow passes the digest its run promoted: C was refused, so the tag is not at C and
  // nothing may move.
  req.expect_current = C;
  plan = plan_rollback(req, h, B);
  REQUIRE(plan.refusal);
  CHECK(plan.refusal->kind == RefusalKind::not_expected);
  CHECK(plan.refusal->message.find("nothing was changed") != std::string::npos);
  req.expect_current = B;
  plan = plan_rollback(req, h, B);
  CHECK_FALSE(plan.refusal);
  CHECK(plan.to == A);
  req.expect_current.reset();

  req.to_previous_of = C;
  plan = plan_rollback(req, h, B);
  REQUIRE(plan.refusal);
  CHECK(plan.refusal->kind == RefusalKind::not_expected);
  req.to_previous_of = B;
  plan = plan_rollback(req, h, B);
  CHECK_FALSE(plan.refusal);
  CHECK(plan.to == A);
  // B promoted, then moved elsewhere by hand: the tag is no longer at B, so undoing B is refused.
  plan = plan_rollback(req, h, C);
  CHECK(plan.refusal);
  // --to: only a digest the tag ran (promoted, or held before a promotion). C was never promoted
  // (refused by the gate): refused, unless the caller says the tag ran it before its history.
  req.to_previous_of.clear();
  req.to = C;
  plan = plan_rollback(req, h, B);
  REQUIRE(plan.refusal);
  CHECK(plan.refusal->kind == RefusalKind::not_promoted);
  CHECK(plan.refusal->message.find("never ran as") != std::string::npos);
  CHECK(plan.refusal->hint.find("promote") != std::string::npos);
  req.allow_unrecorded = true;
  plan = plan_rollback(req, h, B);
  CHECK_FALSE(plan.refusal);
  CHECK(plan.to == C);
  req.allow_unrecorded = false;
  req.to = A;  // held before B's promotion
  CHECK_FALSE(plan_rollback(req, h, B).refusal);
  req.to = B;  // where it is: a no-op move
  CHECK_FALSE(plan_rollback(req, h, B).refusal);
  History damaged = h;  // unreadable history: --to stays the way out
  damaged.entries.clear();
  damaged.unreadable = "the history manifest is damaged";
  req.to = C;
  CHECK_FALSE(plan_rollback(req, damaged, B).refusal);
  req.to.clear();
  req.to_previous_of = B;
  // A digest the tag holds but that image-promote never recorded.
  History unrecorded = h;
  unrecorded.entries = {entry(A, "")};
  plan = plan_rollback(req, unrecorded, B);
  REQUIRE(plan.refusal);
  CHECK(plan.refusal->kind == RefusalKind::not_promoted);
  // The first promotion has nothing before it.
  req.to_previous_of = A;
  CHECK_THROWS_AS(plan_rollback(req, unrecorded, A), kit::Error);
  req.to_previous_of.clear();

  req.steps = 3;
  CHECK_THROWS_AS(plan_rollback(req, h, B), kit::Error);
  req.steps = 1;
  CHECK_THROWS_AS(plan_rollback(req, History{}, B), kit::Error);
  req.to = A;
  CHECK(plan_rollback(req, h, B).to == A);
  CHECK(describe(plan_rollback(req, h, B))[0].find("to " + A) != std::string::npos);
}

TEST_CASE("image-promote session: clients and kept configs from many threads (run under ThreadSanitizer)") {
  ClientOptions options;
  RegistrySession session(options, CredentialSources{});
  session.need("a.example", "team/app", false);
  session.need("b.example", "team/app", true);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        // Registries never named by need() too: the old operator[] inserted them, racing.
        auto c = session.client(i % 3 == 0 ? "a.example" : i % 3 == 1 ? "b.example" : "c" + std::to_string(t) + ".example");
        CHECK(!c->registry().empty());
        session.keep_config("sha256:" + std::to_string(t * 1000 + i), "{}");
        session.kept_config("sha256:" + std::to_string(i));
        session.traffic().requests++;
      }
    });
  for (auto& th : threads) th.join();
  CHECK(session.traffic().requests.load() == 1600);
  CHECK(session.kept_config("sha256:7199").value_or("") == "{}");
}
