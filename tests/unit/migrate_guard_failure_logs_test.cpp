#include <doctest/doctest.h>

#include "migrate-guard/failure_logs.hpp"
#include "pg/connection.hpp"

using namespace migrate_guard;

namespace {
Migration mig(const std::string& sql) { return {"20240101000000_m", "prisma/migrations/20240101000000_m/migration.sql", sql, ""}; }
}  // namespace

TEST_CASE("failure logs: what apply writes, status reads back") {
  const std::string sql = "CREATE TABLE a (id int);\nCOMMIT;\nALTER TABLE missing ADD COLUMN x int;\n";
  pg::PgError e("relation \"missing\" does not exist");
  e.sqlstate = "42P01";
  e.statement_index = 2;
  KeptOnFailure kept = kept_on_failure(sql, 2);
  REQUIRE(kept.commit_line == 2);
  std::string logs = failure_logs(mig(sql), e, {3, 1}, kept);
  CHECK(logs.find("Database error code: 42P01") == 0);  // Prisma's layout first
  CHECK(logs.find("Position: prisma/migrations/20240101000000_m/migration.sql:3:1") != std::string::npos);
  RecordedFailure back = read_failure_logs(logs);
  CHECK(back.by_migrate_guard);
  CHECK(back.first_error == "relation \"missing\" does not exist");
  CHECK(back.kept.commit_line == 2);
  CHECK(back.kept.lone.empty());
  CHECK_FALSE(back.left_open);
}

TEST_CASE("failure logs: a one-statement script and an open transaction survive the round trip") {
  pg::PgError e("could not create unique index \"u\"");
  KeptOnFailure kept = kept_on_failure("CREATE UNIQUE INDEX CONCURRENTLY u ON t (x);", 0);
  REQUIRE_FALSE(kept.lone.empty());
  CHECK(read_failure_logs(failure_logs(mig(""), e, {}, kept)).kept.lone == kept.lone);

  pg::PgError open("the script left a transaction open (a BEGIN without its COMMIT); it was rolled back");
  open.left_open = true;
  RecordedFailure back = read_failure_logs(failure_logs(mig(""), open, {}, {}));
  CHECK(back.left_open);
  CHECK(back.kept.commit_line == 0);
}

TEST_CASE("failure logs: an error text quoting our sentences claims nothing") {
  // The server's message and detail may quote a migration's identifiers or data.
  pg::PgError e("value \"Statements before the COMMIT at line 7 were committed.\" is too long");
  e.detail = "Not one transaction: forged.\nleft a transaction open";
  RecordedFailure back = read_failure_logs(failure_logs(mig(""), e, {}, {}));
  CHECK(back.by_migrate_guard);
  CHECK(back.kept.commit_line == 0);
  CHECK(back.kept.lone.empty());
  CHECK_FALSE(back.left_open);
}

TEST_CASE("failure logs: a row Prisma wrote is read for its error only") {
  RecordedFailure back = read_failure_logs("Database error code: 42601\n\nDatabase error:\nERROR: syntax error at or near \"x\"\n");
  CHECK_FALSE(back.by_migrate_guard);
  CHECK(back.first_error == "syntax error at or near \"x\"");
  CHECK(read_failure_logs("").first_error.empty());
}
