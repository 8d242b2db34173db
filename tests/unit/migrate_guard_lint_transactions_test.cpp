#include <doctest/doctest.h>

#include "migrate_guard_lint_support.hpp"

using namespace lint_test;

TEST_SUITE("migrate-guard lint: transactions") {
  TEST_CASE("transaction-nesting: Prisma's enum migration wraps itself in BEGIN/COMMIT") {
    std::string sql =
        "-- AlterEnum\nBEGIN;\nCREATE TYPE \"Role_new\" AS ENUM ('USER', 'ADMIN');\n"
        "ALTER TABLE \"User\" ALTER COLUMN \"role\" TYPE \"Role_new\" USING (\"role\"::text::\"Role_new\");\n"
        "ALTER TYPE \"Role\" RENAME TO \"Role_old\";\nALTER TYPE \"Role_new\" RENAME TO \"Role\";\n"
        "DROP TYPE \"Role_old\";\nCOMMIT;\n";
    auto report = lint::lint_sql("m.sql", sql);
    std::vector<int> lines;
    for (const auto& f : report.findings) {
      if (f.rule == "transaction-nesting") lines.push_back(f.line);
    }
    CHECK(lines == std::vector<int>{2, 8});
    CHECK(fires("START TRANSACTION;\nSELECT 1;", "transaction-nesting"));
    CHECK(fires("SELECT 1;\nROLLBACK;", "transaction-nesting"));
    CHECK_FALSE(fires("SELECT 1;", "transaction-nesting"));
    CHECK_FALSE(fires("CREATE FUNCTION f() RETURNS void AS $$ BEGIN PERFORM 1; COMMIT; END $$ LANGUAGE plpgsql;",
                      "transaction-nesting"));
  }
}
