#include <doctest/doctest.h>

#include "kit/error.hpp"
#include "ota-publish/eas_call.hpp"
#include "ota-publish/rollback.hpp"
#include "ota-publish/rollout.hpp"

namespace {

ota::GroupSummary g(const char* id, bool embedded = false) {
  return {.group = id, .runtime_version = "1.0.0", .message = "m", .platforms = "android, ios", .branch = "production",
          .roll_back_to_embedded = embedded};
}
const char* A = "aaaaaaaa-1111-4222-8333-944455556666";
const char* B = "bbbbbbbb-1111-4222-8333-944455556666";
const char* C = "cccccccc-1111-4222-8333-944455556666";

ota::ServedState served(std::vector<ota::GroupSummary> history) {
  ota::ServedState s;
  s.channel.name = "production";
  s.channel.mapped_branch_ids = {"b1"};
  s.channel.branches = {{"b1", "production", history.empty() ? std::nullopt : std::optional(history.front())}};
  s.branch = "production";
  s.runtime_version = "1.0.0";
  s.history = std::move(history);
  return s;
}

}  // namespace

TEST_CASE("rollback plan: the previous group, republished to the channel") {
  auto plan = ota::plan_rollback({.channel = "production"}, served({g(C), g(B), g(A)}));
  REQUIRE(!plan.refusal);
  CHECK(plan.current->group == C);
  CHECK(plan.target->group == B);
  CHECK(plan.write.effect == ota::Effect::write);
  CHECK(plan.write.args == std::vector<std::string>{"update:republish", std::string("--group=") + B, "--destination-channel=production",
                                                    std::string("--message=Roll back production to ") + B + " (was " + C + ")",
                                                    "--platform=all", "--non-interactive", "--json"});
}

TEST_CASE("rollback plan: refusals change nothing") {
  CHECK(ota::plan_rollback({.channel = "production", .expect_current = std::string(A)}, served({g(C), g(B)})).refusal->find("someone published") !=
        std::string::npos);
  CHECK(ota::plan_rollback({.channel = "production"}, served({g(C)})).hint.find("--to-embedded") != std::string::npos);
  CHECK(ota::plan_rollback({.channel = "production"}, served({})).refusal);
  CHECK(ota::plan_rollback({.channel = "production", .target = ota::RollbackTarget::group, .to_group = C}, served({g(C), g(B)})).refusal);
  CHECK(ota::plan_rollback({.channel = "production", .target = ota::RollbackTarget::group, .to_group = A}, served({g(C), g(B)})).refusal);
  CHECK(ota::plan_rollback({.channel = "production", .target = ota::RollbackTarget::embedded}, served({g(C, true), g(B)})).refusal);
  auto rollout = served({g(C), g(B)});
  rollout.channel.mapped_branch_ids = {"b2", "b1"};
  CHECK(ota::plan_rollback({.channel = "production"}, rollout).refusal->find("rollout") != std::string::npos);
  ota::ServedState none;
  none.channel.name = "production";
  CHECK(ota::plan_rollback({.channel = "production"}, none).refusal->find("serves no branch") != std::string::npos);
}

TEST_CASE("rollback plan: the embedded update for the runtime") {
  auto plan = ota::plan_rollback({.channel = "production", .target = ota::RollbackTarget::embedded, .platform = ota::Platform::ios},
                                 served({g(C), g(B)}));
  REQUIRE(!plan.refusal);
  CHECK(!plan.target);
  CHECK(plan.write.args[0] == "update:roll-back-to-embedded");
  CHECK(plan.write.args[2] == "--runtime-version=1.0.0");
  CHECK(plan.write.args[4] == "--platform=ios");
}

TEST_CASE("rollout plan: create, edit, end, refusals") {
  ota::RolloutState none, some;
  some.has_rollout = true;
  some.current = ota::RolloutInfo{"production", "production-1.5", 10, "1.0.0"};
  CHECK_THROWS_AS(ota::plan_rollout({.channel = "p", .percent = 10}, none), kit::Error);
  auto create = ota::plan_rollout({.channel = "p", .percent = 10, .branch = std::string("n"), .runtime_version = std::string("1.0.0")}, none);
  CHECK(create.write.args[2] == "--action=create");
  CHECK(ota::plan_rollout({.channel = "p", .percent = 50}, some).write.args[2] == "--action=edit");
  CHECK(ota::plan_rollout({.channel = "p", .percent = 50, .branch = std::string("other")}, some).refusal);
  CHECK(ota::plan_rollout({.channel = "p", .end = true}, none).refusal);
  auto end = ota::plan_rollout({.channel = "p", .end = true, .outcome = ota::RolloutOutcome::republish_and_revert}, some);
  CHECK(end.write.args == std::vector<std::string>{"channel:rollout", "p", "--action=end", "--outcome=republish-and-revert",
                                                   "--non-interactive", "--json"});
}

TEST_CASE("eas calls: values as --flag=value, names checked, shell line quoted") {
  auto call = ota::publish_call({.channel = "preview", .message = "-x 'y'", .platform = ota::Platform::android, .rollout_percentage = 5});
  CHECK(call.args == std::vector<std::string>{"update", "--channel=preview", "--message=-x 'y'", "--platform=android",
                                              "--rollout-percentage=5", "--non-interactive", "--json"});
  CHECK(ota::shell_line({"npx", "eas-cli@24.8.0"}, call) ==
        "npx eas-cli@24.8.0 update --channel=preview '--message=-x '\\''y'\\''' --platform=android --rollout-percentage=5 --non-interactive --json");
  CHECK(ota::name_problem("--channel", "production").empty());
  CHECK(!ota::name_problem("--channel", "-rf").empty());
  CHECK(!ota::name_problem("--channel", "a b").empty());
  CHECK(!ota::name_problem("--channel", "").empty());
  CHECK(ota::is_uuid("0f5c2a4e-1111-4222-8333-944455556666"));
  CHECK(!ota::is_uuid("0f5c2a4e-1111-4222-8333-94445555666g"));
  CHECK(!ota::is_uuid("--group=0f5c2a4e-1111-4222-8333-9444"));
}

TEST_CASE("rollback plan: a second rollback goes back past the release the first one undid") {
  std::string first = std::string("Roll back production to ") + A + " (was " + B + ")";
  CHECK(ota::earlier_rollback("production", "\"" + first + "\" (2 minutes ago by ci)").from == B);
  CHECK(ota::earlier_rollback("production", "\"" + first + "\" (2 minutes ago by ci)").to == A);
  auto embedded = ota::earlier_rollback("production", std::string("Roll back production to the embedded update (was ") + B + ")");
  CHECK(embedded.from == B);
  CHECK(embedded.to.empty());
  CHECK(ota::earlier_rollback("staging", first).from.empty());
  CHECK(ota::earlier_rollback("production", "Roll back production to x (was nope)").from.empty());
  auto copy = g("dddddddd-1111-4222-8333-944455556666");
  copy.message = "\"" + first + "\" (1 minute ago by ci)";
  // history: the copy of A (live), B (rolled back), A, C (older)
  auto plan = ota::plan_rollback({.channel = "production"}, served({copy, g(B), g(A), g(C)}));
  REQUIRE(!plan.refusal);
  CHECK(plan.target->group == C);
  CHECK(!plan.note.empty());
  CHECK(ota::plan_rollback({.channel = "production"}, served({copy, g(C)})).hint.find("--to-group") != std::string::npos);
  auto none = ota::plan_rollback({.channel = "production"}, served({copy, g(B), g(A)}));
  CHECK(none.refusal);
  CHECK(none.hint.find("--to-embedded") != std::string::npos);
}

TEST_CASE("group rollout: raise with update:edit, revert with update:revert-update-rollout") {
  CHECK(ota::group_rollout_call({.group = A, .percent = 40}).args ==
        std::vector<std::string>{"update:edit", A, "--rollout-percentage=40", "--non-interactive", "--json"});
  auto revert = ota::group_rollout_call({.group = A, .end = true, .message = "m"});
  CHECK(revert.args == std::vector<std::string>{"update:revert-update-rollout", std::string("--group=") + A, "--message=m",
                                                "--non-interactive", "--json"});
  CHECK(revert.effect == ota::Effect::write);
}
