// The Management API's answers are untrusted: wrong types and out-of-range numbers are "not
// given", never an exception or undefined behaviour (found by reading the code for the fuzz pass).
#include <doctest/doctest.h>

#include "supabase/management_api.hpp"

TEST_SUITE("supabase: reading the Management API's answers") {
  TEST_CASE("the documented backups answer gives the window") {
    auto b = supabase::read_backups(R"({"pitr_enabled":true,"walg_enabled":true,
      "physical_backup_data":{"earliest_physical_backup_date_unix":1795000000,"latest_physical_backup_date_unix":"1795600000"},
      "backups":[{"inserted_at":"2026-11-28T00:00:00Z"},{"inserted_at":7}]})");
    REQUIRE(b);
    CHECK(b->pitr_enabled);
    CHECK(b->walg_enabled);
    CHECK(b->earliest_unix == 1795000000);
    CHECK(b->latest_unix == 1795600000);
    CHECK(b->backup_times == std::vector<std::string>{"2026-11-28T00:00:00Z"});
  }
  TEST_CASE("a flag of another type is false, not an exception") {
    auto b = supabase::read_backups(R"({"pitr_enabled":"yes","walg_enabled":null})");
    REQUIRE(b);
    CHECK_FALSE(b->pitr_enabled);
    CHECK_FALSE(b->walg_enabled);
  }
  TEST_CASE("times no int64 holds are not given") {
    auto b = supabase::read_backups(R"({"physical_backup_data":{"earliest_physical_backup_date_unix":1e300,
      "latest_physical_backup_date_unix":18446744073709551615}})");
    REQUIRE(b);
    CHECK_FALSE(b->earliest_unix);
    CHECK_FALSE(b->latest_unix);
    auto c = supabase::read_backups(R"({"physical_backup_data":{"earliest_physical_backup_date_unix":"12abc",
      "latest_physical_backup_date_unix":-1e19}})");
    REQUIRE(c);
    CHECK_FALSE(c->earliest_unix);
    CHECK_FALSE(c->latest_unix);
  }
  TEST_CASE("not an object, nested beyond reason, or not JSON") {
    CHECK_FALSE(supabase::read_backups("[1,2]"));
    CHECK_FALSE(supabase::read_backups(std::string(100000, '[')));
    CHECK_FALSE(supabase::read_backups("\xff\xfe garbage"));
    CHECK_FALSE(supabase::read_project_status(R"({"status":3})"));
    CHECK(supabase::read_project_status(R"({"status":"RESTORING"})") == std::optional<std::string>("RESTORING"));
  }
  TEST_CASE("restore points: a list or an object holding one; entries without a name are skipped") {
    auto a = supabase::read_restore_points(R"([{"name":"p1","status":"AVAILABLE","created_at_unix":1795000000},{"status":"x"},{"name":2}])");
    REQUIRE(a.size() == 1);
    CHECK(a[0].name == "p1");
    CHECK(a[0].status == "AVAILABLE");
    CHECK(a[0].time_unix == 1795000000);
    auto b = supabase::read_restore_points(R"({"restore_points":[{"name":"p2","time_unix":1e300}]})");
    REQUIRE(b.size() == 1);
    CHECK_FALSE(b[0].time_unix);
    CHECK(supabase::read_restore_points("null").empty());
  }
}
