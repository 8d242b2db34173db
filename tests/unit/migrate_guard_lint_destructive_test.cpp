#include <doctest/doctest.h>

#include "migrate_guard_lint_support.hpp"

using namespace lint_test;

TEST_SUITE("migrate-guard lint: destructive") {
  TEST_CASE("ban-drop-table fires on a live table, not on one created in the same file") {
    CHECK(fires(timed("DROP TABLE \"Profile\";"), "ban-drop-table"));
    CHECK(fires(timed("DROP TABLE IF EXISTS a, b CASCADE;"), "ban-drop-table"));
    CHECK_FALSE(fires(timed("CREATE TABLE tmp (id int);\nDROP TABLE tmp;"), "ban-drop-table"));
    CHECK_FALSE(fires(timed("DROP VIEW v;"), "ban-drop-table"));
    // IF NOT EXISTS may find the old table: it is not known to be new.
    CHECK(fires(timed("CREATE TABLE IF NOT EXISTS tmp (id int);\nDROP TABLE tmp;"), "ban-drop-table"));
    CHECK_FALSE(fires(timed("CREATE TABLE public.tmp (id int);\nDROP TABLE tmp;"), "ban-drop-table"));
    CHECK(fires(timed("CREATE TABLE audit.tmp (id int);\nDROP TABLE tmp;"), "ban-drop-table"));
  }

  TEST_CASE("ban-drop-column") {
    CHECK(fires(timed("ALTER TABLE \"User\" DROP COLUMN \"avatarUrl\";"), "ban-drop-column"));
    CHECK_FALSE(fires(timed("CREATE TABLE t (a int, b int);\nALTER TABLE t DROP COLUMN b;"), "ban-drop-column"));
    CHECK_FALSE(fires(timed("ALTER TABLE \"User\" DROP CONSTRAINT \"User_fkey\";"), "ban-drop-column"));
  }

  TEST_CASE("ban-drop-database") {
    CHECK(fires("DROP DATABASE staging;", "ban-drop-database"));
    CHECK_FALSE(fires("CREATE DATABASE staging;", "ban-drop-database"));
  }

  TEST_CASE("renaming-column and renaming-table") {
    CHECK(fires(timed("ALTER TABLE \"User\" RENAME COLUMN \"name\" TO \"fullName\";"), "renaming-column"));
    CHECK(fires(timed("ALTER TABLE \"Post\" RENAME TO \"Article\";"), "renaming-table"));
    CHECK_FALSE(fires(timed("ALTER TABLE \"Post\" RENAME CONSTRAINT \"a\" TO \"b\";"), "renaming-column"));
    CHECK_FALSE(fires(timed("ALTER INDEX \"a\" RENAME TO \"b\";"), "renaming-table"));
    CHECK_FALSE(fires(timed("CREATE TABLE n (a int);\nALTER TABLE n RENAME COLUMN a TO b;\nALTER TABLE n RENAME TO m;"),
                      "renaming-column"));
    CHECK(fired(timed("CREATE TABLE n (a int);\nALTER TABLE n RENAME TO m;\nALTER TABLE m DROP COLUMN a;")).empty());
  }

  TEST_CASE("ban-truncate-cascade") {
    CHECK(fires(timed("TRUNCATE \"Session\" CASCADE;"), "ban-truncate-cascade"));
    CHECK_FALSE(fires(timed("TRUNCATE \"Session\";"), "ban-truncate-cascade"));
  }

  TEST_CASE("destructive rules are errors with a message and a hint") {
    auto report = lint::lint_sql("m.sql", timed("ALTER TABLE \"User\" DROP COLUMN \"bio\";"));
    const auto* f = find(report, "ban-drop-column");
    REQUIRE(f);
    CHECK(f->severity == lint::Severity::error);
    CHECK(f->message.find("bio") != std::string::npos);
    CHECK_FALSE(f->hint.empty());
    CHECK(f->line == 2);
    CHECK(f->col == 1);
  }
}
