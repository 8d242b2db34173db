#include <doctest/doctest.h>

#include "migrate_guard_lint_support.hpp"

using namespace lint_test;

TEST_SUITE("migrate-guard lint: locks and indexes") {
  TEST_CASE("require-concurrent-index-creation") {
    CHECK(fires("CREATE INDEX \"Post_authorId_idx\" ON \"Post\"(\"authorId\");", "require-concurrent-index-creation"));
    CHECK(fires("CREATE UNIQUE INDEX \"User_email_key\" ON \"User\"(\"email\");", "require-concurrent-index-creation"));
    CHECK_FALSE(fires("CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON \"Post\"(\"authorId\");",
                      "require-concurrent-index-creation"));
    CHECK_FALSE(fires("CREATE TABLE \"User\" (\"email\" TEXT);\nCREATE UNIQUE INDEX \"User_email_key\" ON \"User\"(\"email\");",
                      "require-concurrent-index-creation"));
  }

  TEST_CASE("require-concurrent-index-deletion") {
    CHECK(fires(timed("DROP INDEX \"Post_authorId_idx\";"), "require-concurrent-index-deletion"));
    CHECK_FALSE(fires("DROP INDEX CONCURRENTLY IF EXISTS \"Post_authorId_idx\";", "require-concurrent-index-deletion"));
    CHECK_FALSE(fires("CREATE TABLE t (a int);\nCREATE INDEX i ON t(a);\nDROP INDEX i;", "require-concurrent-index-deletion"));
  }

  TEST_CASE("concurrently-in-multi-statement-file: Prisma sends the file as one query") {
    CHECK(fires("SET lock_timeout = '5s';\nCREATE INDEX CONCURRENTLY i ON t(a);", "concurrently-in-multi-statement-file"));
    CHECK(fires("CREATE INDEX CONCURRENTLY i ON t(a);\nCREATE INDEX CONCURRENTLY j ON t(b);",
                "concurrently-in-multi-statement-file"));
    CHECK(fires("DROP INDEX CONCURRENTLY i;\nSELECT 1;", "concurrently-in-multi-statement-file"));
    CHECK(fires("REINDEX INDEX CONCURRENTLY i;\nSELECT 1;", "concurrently-in-multi-statement-file"));
    CHECK_FALSE(fires("-- CreateIndex\nCREATE INDEX CONCURRENTLY i ON t(a);\n", "concurrently-in-multi-statement-file"));
    CHECK_FALSE(fires("DROP INDEX CONCURRENTLY i;", "concurrently-in-multi-statement-file"));
  }

  TEST_CASE("constraint-missing-not-valid: CHECK and FOREIGN KEY on live tables") {
    CHECK(fires(timed("ALTER TABLE \"Post\" ADD CONSTRAINT \"Post_authorId_fkey\" FOREIGN KEY (\"authorId\") REFERENCES "
                      "\"User\"(\"id\") ON DELETE RESTRICT ON UPDATE CASCADE;"),
                "constraint-missing-not-valid"));
    CHECK(fires(timed("ALTER TABLE \"Post\" ADD CONSTRAINT c CHECK (\"views\" >= 0);"), "constraint-missing-not-valid"));
    CHECK_FALSE(fires(timed("ALTER TABLE \"Post\" ADD CONSTRAINT c CHECK (\"views\" >= 0) NOT VALID;"),
                      "constraint-missing-not-valid"));
    CHECK_FALSE(fires(timed("ALTER TABLE \"Post\" VALIDATE CONSTRAINT c;"), "constraint-missing-not-valid"));
    CHECK_FALSE(fires(timed("CREATE TABLE \"P\" (a int);\nALTER TABLE \"P\" ADD CONSTRAINT f FOREIGN KEY (a) REFERENCES "
                            "\"User\"(\"id\");"),
                      "constraint-missing-not-valid"));
  }

  TEST_CASE("disallowed-unique-constraint: unless USING INDEX built concurrently first") {
    CHECK(fires(timed("ALTER TABLE \"User\" ADD CONSTRAINT \"User_handle_key\" UNIQUE (\"handle\");"),
                "disallowed-unique-constraint"));
    CHECK(fires(timed("ALTER TABLE \"User\" ADD COLUMN \"handle\" TEXT UNIQUE;"), "disallowed-unique-constraint"));
    CHECK_FALSE(fires(timed("ALTER TABLE \"User\" ADD CONSTRAINT \"User_handle_key\" UNIQUE USING INDEX \"User_handle_key\";"),
                      "disallowed-unique-constraint"));
    CHECK_FALSE(fires(timed("CREATE TABLE n (a int);\nALTER TABLE n ADD CONSTRAINT u UNIQUE (a);"),
                      "disallowed-unique-constraint"));
  }

  TEST_CASE("adding-serial-primary-key-field") {
    CHECK(fires(timed("ALTER TABLE \"AuditLog\" ADD COLUMN \"id\" SERIAL PRIMARY KEY;"), "adding-serial-primary-key-field"));
    CHECK(fires(timed("ALTER TABLE items ADD PRIMARY KEY (id);"), "adding-serial-primary-key-field"));
    CHECK_FALSE(fires(timed("ALTER TABLE items ADD CONSTRAINT items_pk PRIMARY KEY USING INDEX items_pk_idx;"),
                      "adding-serial-primary-key-field"));
    CHECK_FALSE(fires("CREATE TABLE \"User\" (\"id\" SERIAL NOT NULL, CONSTRAINT \"User_pkey\" PRIMARY KEY (\"id\"));",
                      "adding-serial-primary-key-field"));
  }

  TEST_CASE("require-lock-timeout: once per file, before the first write-blocking lock on a live table") {
    auto report = lint::lint_sql("m.sql",
                                 "-- AlterTable\nALTER TABLE \"User\" ADD COLUMN \"bio\" TEXT;\n"
                                 "ALTER TABLE \"User\" ADD COLUMN \"x\" TEXT;\n");
    int count = 0;
    for (const auto& f : report.findings) count += f.rule == "require-lock-timeout";
    CHECK(count == 1);
    const auto* f = find(report, "require-lock-timeout");
    REQUIRE(f);
    CHECK(f->severity == lint::Severity::warning);
    CHECK(f->line == 2);
    CHECK(fires("CREATE INDEX i ON \"Post\"(a);", "require-lock-timeout"));            // SHARE blocks writes
    CHECK(fires("CREATE TABLE n (u int);\nALTER TABLE n ADD CONSTRAINT f FOREIGN KEY (u) REFERENCES \"User\"(id);",
                "require-lock-timeout"));                                               // locks the live "User"
    CHECK(fires("TRUNCATE \"Session\";", "require-lock-timeout"));
    CHECK(fires("DROP TABLE \"Profile\";", "require-lock-timeout"));
    CHECK(fires("LOCK TABLE t IN ACCESS EXCLUSIVE MODE;", "require-lock-timeout"));
    CHECK_FALSE(fires("SET lock_timeout = '5s';\nALTER TABLE \"User\" ADD COLUMN \"bio\" TEXT;", "require-lock-timeout"));
    CHECK_FALSE(fires("SET LOCAL lock_timeout TO 2000;\nDROP TABLE \"Profile\";", "require-lock-timeout"));
    CHECK(fires("SET lock_timeout = 0;\nDROP TABLE \"Profile\";", "require-lock-timeout"));  // 0 = wait forever
    CHECK(fires("SET lock_timeout = '0s';\nDROP TABLE \"Profile\";", "require-lock-timeout"));
    CHECK_FALSE(fires("SELECT set_config('lock_timeout', '5s', true);\nDROP TABLE \"Profile\";", "require-lock-timeout"));
    CHECK_FALSE(fires("SET lock_timeout = '10s';\nDROP TABLE \"Profile\";", "require-lock-timeout"));
    CHECK(fires("SET lock_timeout = '5s';\nRESET lock_timeout;\nDROP TABLE \"Profile\";", "require-lock-timeout"));
    CHECK_FALSE(fires("CREATE TABLE n (a int);\nALTER TABLE n ADD COLUMN b int;\nCREATE INDEX i ON n(a);",
                      "require-lock-timeout"));
    CHECK_FALSE(fires("ALTER TABLE \"Post\" VALIDATE CONSTRAINT c;", "require-lock-timeout"));
    CHECK_FALSE(fires("CREATE INDEX CONCURRENTLY i ON \"Post\"(a);", "require-lock-timeout"));
    CHECK_FALSE(fires("CREATE EXTENSION IF NOT EXISTS postgis;", "require-lock-timeout"));
  }

  TEST_CASE("Options.disabled_rules turns rules off, e.g. when deploy sets lock_timeout itself") {
    lint::Options options;
    options.disabled_rules = {"require-lock-timeout"};
    auto report = lint::lint_sql("m.sql", "DROP INDEX i;", options);
    CHECK(find(report, "require-lock-timeout") == nullptr);
    CHECK(find(report, "require-concurrent-index-deletion") != nullptr);
  }
}
