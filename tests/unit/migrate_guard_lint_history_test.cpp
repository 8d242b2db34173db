// The history pass (lint_sequence): which table a finding concerns and where that table comes from
// (issue 9 item 4), and renames of tables, columns and types followed through the migrations
// (issue 9 item 1).
#include <doctest/doctest.h>

#include "migrate_guard_lint_support.hpp"

using namespace lint_test;

namespace {

std::vector<lint::FileReport> sequence(const std::vector<std::pair<std::string, std::string>>& files,
                                       std::vector<bool> linted = {}) {
  std::vector<lint::MigrationFile> in;
  for (std::size_t i = 0; i < files.size(); ++i)
    in.push_back({files[i].first, files[i].second, linted.empty() ? true : bool(linted[i])});
  return lint::lint_sequence(in);
}

int count(const lint::FileReport& report, const std::string& rule) {
  int n = 0;
  for (const auto& f : report.findings) n += f.rule == rule && !f.suppressed;
  return n;
}

// Prisma's removal of an enum value (prisma migrate dev writes exactly this, BEGIN/COMMIT aside).
const char* kEnumDance =
    "CREATE TYPE \"Role_new\" AS ENUM ('USER', 'ADMIN');\n"
    "ALTER TABLE \"User\" ALTER COLUMN \"role\" TYPE \"Role_new\" USING (\"role\"::text::\"Role_new\");\n"
    "ALTER TYPE \"Role\" RENAME TO \"Role_old\";\n"
    "ALTER TYPE \"Role_new\" RENAME TO \"Role\";\n"
    "DROP TYPE \"Role_old\";\n";

}  // namespace

TEST_SUITE("migrate-guard lint: history") {
  TEST_CASE("a table-scoped finding carries its table, schema-qualified") {
    auto report = lint::lint_sql("m.sql", timed("CREATE INDEX \"Post_a_idx\" ON \"Post\"(\"a\");\n"
                                                "ALTER TABLE app.\"Tag\" ADD COLUMN \"n\" INT NOT NULL;\n"
                                                "ALTER TABLE public.\"User\" DROP COLUMN \"x\";"));
    const auto* index = find(report, "require-concurrent-index-creation");
    REQUIRE(index);
    CHECK(index->table == "public.Post");
    CHECK(index->table_origin == lint::TableOrigin::existing);
    CHECK(index->table_created_in.empty());
    const auto* required = find(report, "adding-required-field");
    REQUIRE(required);
    CHECK(required->table == "app.Tag");
    const auto* dropped = find(report, "ban-drop-column");
    REQUIRE(dropped);
    CHECK(dropped->table == "public.User");
  }

  TEST_CASE("findings not about one table carry none") {
    auto report = lint::lint_sql("m.sql", "BEGIN;\nDROP DATABASE x;\nCOMMIT;");
    REQUIRE_FALSE(report.findings.empty());
    for (const auto& f : report.findings) {
      CHECK(f.table.empty());
      CHECK(f.table_origin == lint::TableOrigin::none);
    }
  }

  TEST_CASE("default_schema resolves unqualified names") {
    lint::Options options;
    options.default_schema = "app";
    auto report = lint::lint_sql("m.sql", timed("CREATE INDEX i ON \"Post\"(a);\nCREATE INDEX j ON public.\"User\"(a);"),
                                 options);
    std::vector<std::string> tables;
    for (const auto& f : report.findings) tables.push_back(f.table);
    CHECK(tables == std::vector<std::string>{"app.Post", "public.User"});
  }

  TEST_CASE("a table created by an earlier linted migration is marked so, with the file") {
    auto reports = sequence({{"1/migration.sql", "CREATE TABLE \"Place\" (\"id\" TEXT NOT NULL);"},
                             {"2/migration.sql", "CREATE TABLE \"Post\" (\"id\" TEXT NOT NULL);"},
                             {"3/migration.sql", "ALTER TABLE \"Place\" ADD COLUMN \"n\" INT NOT NULL;\n"
                                                 "CREATE INDEX \"Post_id_idx\" ON \"Post\"(\"id\");\n"
                                                 "ALTER TABLE \"User\" ADD COLUMN \"m\" INT NOT NULL;"}},
                            {false, true, true});
    REQUIRE(reports.size() == 2);
    const auto& third = reports[1];
    std::vector<const lint::Finding*> required;
    for (const auto& f : third.findings)
      if (f.rule == "adding-required-field") required.push_back(&f);
    REQUIRE(required.size() == 2);
    // "Place" was created by a migration outside the linted set (already applied): it may be live.
    CHECK(required[0]->table == "public.Place");
    CHECK(required[0]->table_origin == lint::TableOrigin::existing);
    CHECK(required[1]->table == "public.User");
    CHECK(required[1]->table_origin == lint::TableOrigin::existing);
    const auto* index = find(third, "require-concurrent-index-creation");
    REQUIRE(index);
    CHECK(index->table == "public.Post");
    CHECK(index->table_origin == lint::TableOrigin::earlier_migration);
    CHECK(index->table_created_in == "2/migration.sql");
    // The lock-timeout finding names the first table it locks.
    const auto* timeout = find(third, "require-lock-timeout");
    REQUIRE(timeout);
    CHECK(timeout->table == "public.Place");
  }

  TEST_CASE("a table created earlier in the same file is same_file (prefer-timestamptz still fires)") {
    auto report = lint::lint_sql("m.sql", "CREATE TABLE \"E\" (\"at\" TIMESTAMP(3) NOT NULL);");
    const auto* f = find(report, "prefer-timestamptz");
    REQUIRE(f);
    CHECK(f->table == "public.E");
    // Judged before the CREATE takes effect: the table is being created by this very statement.
    CHECK(f->table_origin == lint::TableOrigin::existing);
    auto later = lint::lint_sql("m.sql", "CREATE TABLE \"E\" (\"id\" INT);\nALTER TABLE \"E\" ADD COLUMN \"at\" TIMESTAMP(3);");
    const auto* g = find(later, "prefer-timestamptz");
    REQUIRE(g);
    CHECK(g->table_origin == lint::TableOrigin::same_file);
  }

  TEST_CASE("a renamed table keeps its origin; a dropped one loses it") {
    auto reports = sequence({{"1.sql", "CREATE TABLE \"A\" (\"id\" INT);"},
                             {"2.sql", "ALTER TABLE \"A\" RENAME TO \"B\";\nCREATE TABLE \"C\" (\"id\" INT);\n"},
                             {"3.sql", "SET lock_timeout = '1s';\nCREATE INDEX i ON \"B\"(id);\nDROP TABLE \"C\";\n"},
                             {"4.sql", "CREATE INDEX j ON \"C\"(id);"}});
    const auto* onB = find(reports[2], "require-concurrent-index-creation");
    REQUIRE(onB);
    CHECK(onB->table == "public.B");
    CHECK(onB->table_origin == lint::TableOrigin::earlier_migration);
    CHECK(onB->table_created_in == "1.sql");
    const auto* drop = find(reports[2], "ban-drop-table");
    REQUIRE(drop);
    CHECK(drop->table_origin == lint::TableOrigin::earlier_migration);
    const auto* onC = find(reports[3], "require-concurrent-index-creation");
    REQUIRE(onC);
    CHECK(onC->table_origin == lint::TableOrigin::existing);
  }

  TEST_CASE("DROP INDEX findings name the index's table when a migration created it") {
    auto reports = sequence({{"1.sql", "CREATE TABLE \"A\" (\"id\" INT);\nCREATE INDEX \"A_id_idx\" ON \"A\"(\"id\");"},
                             {"2.sql", "DROP INDEX \"A_id_idx\";"}});
    const auto* f = find(reports[1], "require-concurrent-index-deletion");
    REQUIRE(f);
    CHECK(f->table == "public.A");
    CHECK(f->table_origin == lint::TableOrigin::earlier_migration);
  }

  TEST_CASE("DROP TABLE of several tables: one finding per table") {
    auto report = lint::lint_sql("m.sql", timed("DROP TABLE \"A\", \"B\";"));
    std::vector<std::string> tables;
    for (const auto& f : report.findings)
      if (f.rule == "ban-drop-table") tables.push_back(f.table);
    CHECK(tables == std::vector<std::string>{"public.A", "public.B"});
  }

  TEST_CASE("Prisma's enum-value removal run twice on the same column is reported both times") {
    auto reports = sequence({{"1.sql", "CREATE TYPE \"Role\" AS ENUM ('USER', 'ADMIN', 'GUEST');\n"
                                       "CREATE TABLE \"User\" (\"id\" TEXT NOT NULL, \"role\" \"Role\" NOT NULL);"},
                             {"2.sql", kEnumDance},
                             {"3.sql", "ALTER TYPE \"Role\" ADD VALUE 'GUEST';"},
                             {"4.sql", kEnumDance}});
    CHECK(count(reports[1], "changing-column-type") == 1);
    CHECK(count(reports[3], "changing-column-type") == 1);
  }

  TEST_CASE("renamed columns and tables keep their declared types") {
    auto reports = sequence({{"1.sql", "CREATE TABLE \"A\" (\"name\" VARCHAR(100));"},
                             {"2.sql", "ALTER TABLE \"A\" RENAME COLUMN \"name\" TO \"title\";\nALTER TABLE \"A\" RENAME TO \"B\";"},
                             {"3.sql", "SET lock_timeout = '1s';\nALTER TABLE \"B\" ALTER COLUMN \"title\" TYPE VARCHAR(200);"},
                             {"4.sql", "SET lock_timeout = '1s';\nALTER TABLE \"B\" ALTER COLUMN \"title\" TYPE VARCHAR(50);"}});
    CHECK(count(reports[2], "changing-column-type") == 0);  // widening, known through both renames
    CHECK(count(reports[3], "changing-column-type") == 1);  // narrowing
  }

  TEST_CASE("require-lock-timeout: DROP VIEW and CREATE OR REPLACE VIEW on an existing view") {
    CHECK(fires("DROP VIEW \"ActiveUsers\";", "require-lock-timeout"));
    CHECK(fires("CREATE OR REPLACE VIEW \"ActiveUsers\" AS SELECT 1 AS one;", "require-lock-timeout"));
    CHECK(fires("DROP MATERIALIZED VIEW \"Stats\";", "require-lock-timeout"));
    CHECK_FALSE(fires("CREATE VIEW \"New\" AS SELECT * FROM \"User\";", "require-lock-timeout"));
    CHECK_FALSE(fires("CREATE VIEW \"New\" AS SELECT 1 AS one;\nCREATE OR REPLACE VIEW \"New\" AS SELECT 2 AS one;\n"
                      "DROP VIEW \"New\";",
                      "require-lock-timeout"));
    CHECK_FALSE(fires(timed("DROP VIEW \"ActiveUsers\";"), "require-lock-timeout"));
    auto report = lint::lint_sql("m.sql", "CREATE OR REPLACE VIEW app.\"V\" AS SELECT 1 AS one;");
    const auto* f = find(report, "require-lock-timeout");
    REQUIRE(f);
    CHECK(f->table == "app.V");
  }
}
