#include <doctest/doctest.h>

#include "migrate-guard/state.hpp"

using namespace migrate_guard;

namespace {
Migration mig(const std::string& name, const std::string& sql) { return {name, name + "/migration.sql", sql, sha256_hex(sql)}; }
LedgerRow row(const std::string& name, const std::string& checksum, bool finished, bool rolled_back = false, bool logs = false) {
  LedgerRow r;
  r.id = name + (finished ? "-f" : "-u") + (rolled_back ? "-r" : "");
  r.name = name;
  r.checksum = checksum;
  r.started_at = "2024-01-01T00:00:00.000Z";
  if (finished) r.finished_at = "2024-01-01T00:00:01.000Z";
  if (rolled_back) r.rolled_back_at = "2024-01-01T00:00:02.000Z";
  if (logs) r.logs = "Database error code: 42P01\n\nDatabase error:\nERROR: boom\n";
  r.applied_steps_count = finished ? 1 : 0;
  return r;
}
}  // namespace

TEST_CASE("folder vs ledger: applied, pending, failed, edited, missing") {
  std::vector<Migration> disk = {mig("1_a", "A"), mig("2_b", "B"), mig("3_c", "C"), mig("4_d", "D")};
  std::vector<LedgerRow> ledger = {row("1_a", sha256_hex("A"), true), row("2_b", sha256_hex("B-old"), true),
                                   row("3_c", sha256_hex("C"), false, false, true), row("0_gone", "x", true)};
  Status s = compare(disk, ledger, true);
  REQUIRE(s.entries.size() == 5);
  CHECK(s.entries[0].state == State::applied);
  CHECK(s.entries[1].state == State::edited);
  CHECK(s.entries[2].state == State::failed);
  CHECK_FALSE(s.entries[2].interrupted());
  CHECK(s.entries[3].state == State::pending);
  CHECK(s.entries[4].name == "0_gone");
  CHECK(s.entries[4].state == State::missing);
  CHECK_FALSE(s.up_to_date());
}

TEST_CASE("rolled-back attempts make a migration pending again; a later success makes it applied") {
  std::vector<Migration> disk = {mig("1_a", "A")};
  Status s = compare(disk, {row("1_a", sha256_hex("A0"), false, true, true)}, true);
  CHECK(s.entries[0].state == State::pending);
  CHECK(s.entries[0].rolled_back_rows == 1);
  s = compare(disk, {row("1_a", sha256_hex("A0"), false, true, true), row("1_a", sha256_hex("A"), true)}, true);
  CHECK(s.entries[0].state == State::applied);
  CHECK(s.up_to_date());
}

TEST_CASE("an unfinished row without logs is an interrupted run") {
  Status s = compare({mig("1_a", "A")}, {row("1_a", sha256_hex("A"), false)}, true);
  CHECK(s.entries[0].state == State::failed);
  CHECK(s.entries[0].interrupted());
}

TEST_CASE("a failed row of a migration deleted from disk still blocks") {
  Status s = compare({}, {row("1_a", "x", false, false, true)}, true);
  REQUIRE(s.entries.size() == 1);
  CHECK(s.entries[0].state == State::failed);
}
