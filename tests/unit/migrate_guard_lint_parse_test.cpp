#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "migrate_guard_lint_support.hpp"

using namespace lint_test;

TEST_SUITE("migrate-guard lint: parsing, positions, suppression") {
  TEST_CASE("a Prisma init migration parses: comments, quoted identifiers, extensions, enums") {
    std::string sql =
        "-- CreateExtension\nCREATE EXTENSION IF NOT EXISTS \"postgis\";\n\n"
        "-- CreateEnum\nCREATE TYPE \"Role\" AS ENUM ('USER', 'ADMIN');\n\n"
        "-- CreateTable\nCREATE TABLE \"User\" (\n    \"id\" TEXT NOT NULL,\n    \"email\" TEXT NOT NULL,\n"
        "    \"location\" geometry(Point, 4326),\n    \"createdAt\" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,\n\n"
        "    CONSTRAINT \"User_pkey\" PRIMARY KEY (\"id\")\n);\n\n"
        "-- CreateIndex\nCREATE UNIQUE INDEX \"User_email_key\" ON \"User\"(\"email\");\n";
    auto report = lint::lint_sql("prisma/migrations/1_init/migration.sql", sql);
    CHECK(report.path == "prisma/migrations/1_init/migration.sql");
    CHECK(report.statements == 4);
    CHECK_FALSE(report.syntax_error);
    CHECK(report.findings.empty());
    REQUIRE(report.spans.size() == 4);
    CHECK(report.spans[0].line == 2);      // the comment before a statement is not its start
    CHECK(report.spans[2].line == 8);
    CHECK(report.spans[2].end_line == 15);
    CHECK(report.spans[3].line == 18);
  }

  TEST_CASE("PostGIS: the extension and geometry columns are clean") {
    CHECK(fired("CREATE EXTENSION IF NOT EXISTS postgis;\n"
                "CREATE EXTENSION IF NOT EXISTS postgis WITH SCHEMA extensions;\n"
                "SET lock_timeout = '5s';\n"
                "ALTER TABLE \"Place\" ADD COLUMN \"location\" geometry(Point, 4326);\n").empty());
  }

  TEST_CASE("ALTER TABLE \"User\" ADD COLUMN in Prisma's layout reports at the statement") {
    auto report = lint::lint_sql("m.sql", "-- AlterTable\nALTER TABLE \"User\" ADD COLUMN     \"slug\" TEXT NOT NULL;\n");
    const auto* f = find(report, "adding-required-field");
    REQUIRE(f);
    CHECK(f->line == 2);
    CHECK(f->col == 35);  // the column definition
    CHECK(f->end_line == 2);
    CHECK(f->statement == 0);
  }

  TEST_CASE("syntax-error has the line and column of the bad token; other statements are still checked") {
    std::string sql = "SET lock_timeout = '5s';\n\nALTER TABLE \"User\" ADD COLUMN \"phone\" TEXT;\n"
                      "ALTER TABLE \"User\" ADD COLUMN \"country\" TEXT NOT NULL DEFALT 'NL';\n"
                      "ALTER TABLE \"User\" DROP COLUMN \"fax\";\n";
    auto report = lint::lint_sql("m.sql", sql);
    CHECK(report.syntax_error);
    CHECK(report.statements == 4);
    const auto* f = find(report, "syntax-error");
    REQUIRE(f);
    CHECK(f->severity == lint::Severity::error);
    CHECK(f->line == 4);
    CHECK(f->col == 55);  // squawk reports the same place (0-based column 54)
    CHECK(f->message.find("DEFALT") != std::string::npos);
    CHECK(find(report, "ban-drop-column") != nullptr);
  }

  TEST_CASE("syntax-error columns count characters, not bytes") {
    auto report = lint::lint_sql("m.sql", "-- café ☕\nSELECT 'é', 'ü' FORM t;\n");
    const auto* f = find(report, "syntax-error");
    REQUIRE(f);
    CHECK(f->line == 2);
    CHECK(f->col == 22);  // `t`: FORM is taken as a column alias; 24 if counted in bytes
  }

  TEST_CASE("an unterminated string is one syntax error") {
    auto report = lint::lint_sql("m.sql", "SELECT 1;\nSELECT 'oops;\n");
    CHECK(report.syntax_error);
    REQUIRE(find(report, "syntax-error"));
    CHECK(find(report, "syntax-error")->line == 2);
  }

  TEST_CASE("invalid UTF-8 and NUL bytes are syntax errors at their position, the rest is still checked") {
    auto report = lint::lint_sql("m.sql", std::string("SELECT 'caf\xE9';\nDROP TABLE \"Old\";\n"));
    CHECK(report.syntax_error);
    REQUIRE(report.findings.size() >= 2);
    CHECK(report.findings[0].rule == "syntax-error");
    CHECK(report.findings[0].line == 1);
    CHECK(report.findings[0].col == 12);
    CHECK(find(report, "ban-drop-table") != nullptr);
    auto nul = lint::lint_sql("m.sql", std::string("SELECT 1;\n\0DROP TABLE x;", 24));
    REQUIRE(find(nul, "syntax-error"));
    CHECK(find(nul, "syntax-error")->line == 2);
    int errors = 0;
    for (const auto& f : nul.findings) errors += f.rule == "syntax-error";
    CHECK(errors == 1);
  }

  TEST_CASE("garbage never throws") {
    for (std::string junk : {std::string("\xFF\xFE;;; $$ unterminated"), std::string("/* unterminated"), std::string(";;;"),
                             std::string("\"unterminated"), std::string("$a$ x"), std::string("E'\\'"), std::string(40, '(')}) {
      CHECK_NOTHROW(lint::lint_sql("m.sql", junk));
    }
  }

  TEST_CASE("an empty or comment-only file has no statements and no findings") {
    CHECK(lint::lint_sql("m.sql", "").findings.empty());
    auto report = lint::lint_sql("m.sql", "-- This is an empty migration.\n");
    CHECK(report.statements == 0);
    CHECK(report.findings.empty());
  }

  TEST_CASE("CRLF files and a byte order mark") {
    auto report = lint::lint_sql("m.sql", "\xEF\xBB\xBF-- AlterTable\r\nALTER TABLE \"User\" DROP COLUMN \"a\";\r\n");
    const auto* f = find(report, "ban-drop-column");
    REQUIRE(f);
    CHECK(f->line == 2);
    CHECK(f->col == 1);
  }

  TEST_CASE("dollar-quoted bodies hide their semicolons and comments") {
    std::string sql =
        "CREATE OR REPLACE FUNCTION f() RETURNS trigger AS $$\nBEGIN\n"
        "  -- migrate-guard-ignore: ban-drop-table not a real comment\n  DROP TABLE x;\n  RETURN NEW;\nEND;\n"
        "$$ LANGUAGE plpgsql;\nDROP TABLE \"Old\";\n";
    auto report = lint::lint_sql("m.sql", sql);
    CHECK(report.statements == 2);
    const auto* f = find(report, "ban-drop-table");
    REQUIRE(f);
    CHECK(f->line == 8);
    CHECK_FALSE(f->suppressed);
  }

  TEST_CASE("suppression on the line before applies to the next statement only") {
    std::string sql =
        "SET lock_timeout = '5s';\n"
        "-- migrate-guard-ignore: ban-drop-column unused since release 42 (PR #412)\n"
        "ALTER TABLE \"User\" DROP COLUMN \"phone\";\n"
        "ALTER TABLE \"User\" DROP COLUMN \"fax\";\n";
    auto report = lint::lint_sql("m.sql", sql);
    REQUIRE(report.findings.size() == 2);
    CHECK(report.findings[0].suppressed);
    CHECK(report.findings[0].suppress_reason == "unused since release 42 (PR #412)");
    CHECK(report.findings[0].line == 3);
    CHECK_FALSE(report.findings[1].suppressed);
  }

  TEST_CASE("suppression on the same line, several rules, block comments") {
    auto same_line = lint::lint_sql("m.sql", timed("DROP TABLE \"Tmp\"; -- migrate-guard-ignore: ban-drop-table scratch table\n"
                                                   "DROP TABLE \"Keep\";\n"));
    REQUIRE(same_line.findings.size() == 2);
    CHECK(same_line.findings[0].suppressed);
    CHECK_FALSE(same_line.findings[1].suppressed);

    auto several = lint::lint_sql("m.sql", "-- migrate-guard-ignore: ban-drop-table, require-lock-timeout maintenance window\n"
                                           "DROP TABLE \"Tmp\";\n");
    REQUIRE(several.findings.size() == 2);
    CHECK(several.findings[0].suppressed);
    CHECK(several.findings[1].suppressed);
    CHECK(several.findings[1].suppress_reason == "maintenance window");

    auto block = lint::lint_sql("m.sql", timed("/* migrate-guard-ignore: renaming-column nothing reads it yet */\n"
                                               "ALTER TABLE t RENAME COLUMN a TO b;"));
    REQUIRE(block.findings.size() == 1);
    CHECK(block.findings[0].suppressed);
  }

  TEST_CASE("a suppression comment inside a multi-line statement applies to it") {
    auto report = lint::lint_sql("m.sql", timed("ALTER TABLE \"User\"\n"
                                                "  -- migrate-guard-ignore: ban-drop-column moved to \"Profile\" in release 7\n"
                                                "  DROP COLUMN \"bio\";\n"));
    REQUIRE(report.findings.size() == 1);
    CHECK(report.findings[0].suppressed);
    CHECK(report.findings[0].suppress_reason == "moved to \"Profile\" in release 7");
  }

  TEST_CASE("a suppression needs a reason and the right rule name") {
    auto no_reason = lint::lint_sql("m.sql", timed("-- migrate-guard-ignore: ban-drop-table\nDROP TABLE \"Tmp\";"));
    REQUIRE(no_reason.findings.size() == 1);
    CHECK_FALSE(no_reason.findings[0].suppressed);
    CHECK(no_reason.findings[0].message.find("no reason") != std::string::npos);
    auto other_rule = lint::lint_sql("m.sql", timed("-- migrate-guard-ignore: ban-drop-column because\nDROP TABLE \"Tmp\";"));
    REQUIRE(other_rule.findings.size() == 1);
    CHECK_FALSE(other_rule.findings[0].suppressed);
  }

  TEST_CASE("a syntax error cannot be suppressed") {
    auto report = lint::lint_sql("m.sql", "-- migrate-guard-ignore: syntax-error it works on my machine\nSELEC 1;\n");
    REQUIRE(find(report, "syntax-error"));
    CHECK_FALSE(find(report, "syntax-error")->suppressed);
  }

  TEST_CASE("docs/migrate-guard-lint.md documents every rule") {
    auto doc_path = std::filesystem::path(YONIMA_SOURCE_DIR) / "docs" / "migrate-guard-lint.md";
    std::ifstream in(doc_path);
    REQUIRE_MESSAGE(in.good(), doc_path.string());
    std::stringstream text;
    text << in.rdbuf();
    for (const auto& r : lint::rules()) {
      std::string severity = r.severity == lint::Severity::error ? "error" : "warning";
      CHECK_MESSAGE(text.str().find("| " + r.name + " | " + severity + " |") != std::string::npos, r.name);
      CHECK_MESSAGE(text.str().find("### " + r.name) != std::string::npos, r.name);
    }
  }

  TEST_CASE("the rule catalogue names every rule once, with a severity and a description") {
    std::set<std::string> names;
    for (const auto& r : lint::rules()) {
      CHECK_FALSE(r.description.empty());
      CHECK(names.insert(r.name).second);
    }
    for (const char* rule : {"syntax-error", "ban-drop-table", "ban-drop-column", "ban-drop-database", "renaming-column",
                             "renaming-table", "changing-column-type", "adding-not-nullable-field",
                             "adding-field-with-default", "require-concurrent-index-creation",
                             "require-concurrent-index-deletion", "concurrently-in-multi-statement-file",
                             "constraint-missing-not-valid", "disallowed-unique-constraint",
                             "adding-serial-primary-key-field", "prefer-timestamptz", "require-lock-timeout",
                             "transaction-nesting", "ban-truncate-cascade", "adding-required-field"}) {
      CHECK_MESSAGE(names.count(rule), rule);
    }
  }
}

TEST_SUITE("migrate-guard lint: identifiers and the lexer") {
  using namespace lint_test;

  TEST_CASE("identifier-too-long: names over 63 bytes, quoted or not, once per statement") {
    std::string name64(64, 'a');
    std::string name63(63, 'b');
    auto report = lint::lint_sql("m.sql", "CREATE TABLE \"" + name63 + "\" (id int);\n"
                                          "CREATE INDEX \"" + name64 + "\" ON \"" + name63 + "\"(id);\n"
                                          "ALTER INDEX \"" + name64 + "\" RENAME TO " + name64 + "x;\n");
    std::vector<std::pair<int, int>> at;
    for (const auto& f : report.findings)
      if (f.rule == "identifier-too-long") at.push_back({f.line, f.col});
    // Line 3 names the 64-byte one (quoted) and a 65-byte unquoted one.
    CHECK(at == std::vector<std::pair<int, int>>{{2, 14}, {3, 13}, {3, 90}});
    const auto* f = find(report, "identifier-too-long");
    REQUIRE(f);
    CHECK(f->severity == lint::Severity::warning);
    CHECK(f->message.find("64 bytes") != std::string::npos);
    CHECK(f->message.find("\"" + std::string(63, 'a') + "\")") != std::string::npos);
  }

  TEST_CASE("identifier-too-long counts bytes, undoes doubled quotes, cuts on a character boundary") {
    // 31 x "é" (2 bytes each) = 62 bytes + "ab" = 64 bytes, 33 characters.
    std::string e31;
    for (int i = 0; i < 31; ++i) e31 += "\xC3\xA9";
    CHECK(fires("CREATE TABLE \"" + e31 + "ab\" (id int);", "identifier-too-long"));
    CHECK_FALSE(fires("CREATE TABLE \"" + e31 + "a\" (id int);", "identifier-too-long"));
    // 62 letters and one doubled quote: the name is 63 bytes.
    CHECK_FALSE(fires("CREATE TABLE \"" + std::string(62, 'q') + "\"\"\" (id int);", "identifier-too-long"));
    CHECK(fires("CREATE TABLE \"" + std::string(63, 'q') + "\"\"\" (id int);", "identifier-too-long"));
    // A long string literal or comment is not an identifier.
    CHECK_FALSE(fires("SELECT '" + std::string(100, 'x') + "'; -- " + std::string(100, 'y'), "identifier-too-long"));
    std::string multibyte = "CREATE TABLE \"" + std::string(62, 'z') + "\xC3\xA9\" (id int);";
    auto report = lint::lint_sql("m.sql", multibyte);
    const auto* f = find(report, "identifier-too-long");
    REQUIRE(f);
    CHECK(f->message.find("(\"" + std::string(62, 'z') + "\")") != std::string::npos);  // é not cut in half
  }

  TEST_CASE("the lexer: comments inside literals, dollar quotes and nested comments are not comments") {
    auto report = lint::lint_sql(
        "m.sql",
        "SELECT E'it\\'s -- not a comment';\n"
        "DO $body$ BEGIN PERFORM 1; /* -- migrate-guard-ignore: ban-drop-table no */ END $body$;\n"
        "/* outer /* inner */ still a comment; DROP TABLE \"X\"; */\n"
        "DROP TABLE \"A\"; -- migrate-guard-ignore: ban-drop-table scratch table\n"
        "DROP TABLE \"B\";\n");
    std::vector<std::string> seen;
    for (const auto& f : report.findings)
      if (f.rule == "ban-drop-table") seen.push_back(f.table + (f.suppressed ? "~" : "") + "@" + std::to_string(f.line));
    CHECK(seen == std::vector<std::string>{"public.A~@4", "public.B@5"});
    REQUIRE(report.spans.size() == 4);
    CHECK(report.spans[2].line == 4);
    CHECK(report.spans[2].col == 1);
  }
}

TEST_SUITE("migrate-guard lint: large files") {
  using namespace lint_test;

  TEST_CASE("a file over 1 MiB is split in windows: literals with `;` across window ends stay whole") {
    // ~9 MiB: strings, dollar quotes and comments of up to 300 KB holding `;`, so that 4 MiB windows
    // end inside them; a live-table ALTER every few statements, whose line must come out exact.
    std::string sql;
    std::vector<int> alter_lines;
    int line = 1, statements = 0;
    for (int i = 0; sql.size() < (std::size_t{9} << 20); ++i) {
      std::string part;
      switch (i % 4) {
        case 0: part = "INSERT INTO t VALUES ('" + std::string(300000 + i, ';') + "', $$x;y$$);\n"; break;
        case 1: part = "/* " + std::string(200000, ';') + " */ SELECT 1;\n"; break;
        case 2: part = "DO $body$ BEGIN PERFORM '" + std::string(100000, ';') + "'; END $body$;\n"; break;
        default:
          part = "ALTER TABLE \"User\" ADD COLUMN \"c" + std::to_string(i) + "\" INT NOT NULL;\n";
          alter_lines.push_back(line);
      }
      sql += part;
      line += 1;
      ++statements;
    }
    auto report = lint::lint_sql("big.sql", sql);
    CHECK(report.statements == statements);
    CHECK_FALSE(report.syntax_error);
    std::vector<int> found;
    for (const auto& f : report.findings)
      if (f.rule == "adding-required-field") found.push_back(f.line);
    CHECK(found == alter_lines);
  }

  TEST_CASE("a large file with an unterminated literal is one syntax error, not a hang") {
    std::string sql;
    while (sql.size() < (std::size_t{5} << 20)) sql += "SELECT '" + std::string(1000, 'x') + "';\n";
    sql += "SELECT 'never closed";
    auto report = lint::lint_sql("big.sql", sql);
    CHECK(report.syntax_error);
    REQUIRE(report.findings.size() == 1);
    CHECK(report.findings[0].rule == "syntax-error");
  }
}

TEST_CASE("identifier-too-long: a name with a newline stays on one line in the message") {
  using namespace lint_test;
  auto report = lint::lint_sql("m.sql", "CREATE TABLE \"" + std::string(60, 'a') + "\n::error::pwned\" (id int);");
  const auto* f = find(report, "identifier-too-long");
  REQUIRE(f);
  CHECK(f->message.find('\n') == std::string::npos);
  CHECK(f->message.find("\\x0A::error::pwned") != std::string::npos);
}
