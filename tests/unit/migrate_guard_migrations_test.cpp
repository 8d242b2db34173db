#include <unistd.h>

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "kit/error.hpp"
#include "migrate-guard/migrations.hpp"

using namespace migrate_guard;
namespace fs = std::filesystem;

namespace {
struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / ("mg-unit-" + std::to_string(::getpid()) + "-" + std::to_string(rand()));
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  void write(const std::string& rel, const std::string& text) {
    fs::create_directories((path / rel).parent_path());
    std::ofstream(path / rel, std::ios::binary) << text;
  }
};
}  // namespace

TEST_CASE("checksums are the SHA-256 of the raw bytes, tolerant of CRLF/LF like Prisma") {
  CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  Migration lf{"m", "p", "CREATE TABLE a (id int);\nSELECT 1;\n", ""};
  lf.checksum = sha256_hex(lf.sql);
  Migration crlf{"m", "p", "CREATE TABLE a (id int);\r\nSELECT 1;\r\n", ""};
  crlf.checksum = sha256_hex(crlf.sql);
  CHECK(checksum_matches(lf, crlf.checksum));
  CHECK(checksum_matches(crlf, lf.checksum));
  CHECK_FALSE(checksum_matches(lf, sha256_hex("CREATE TABLE b (id int);\n")));
}

TEST_CASE("migration_lock.toml") {
  CHECK(check_lock_toml("# Please do not edit\nprovider = \"postgresql\"\n") == "");
  CHECK(check_lock_toml("provider = \"postgresql\"\r\n") == "");
  CHECK(check_lock_toml("provider = \"mysql\"\n").find("mysql") != std::string::npos);
  CHECK(check_lock_toml("provider = postgresql\n").find("line 1") != std::string::npos);
  CHECK(check_lock_toml("# nothing\n").find("provider") != std::string::npos);
}

TEST_CASE("the folder is read in name order, oddities reported") {
  TempDir d;
  d.write("20240102000000_b/migration.sql", "SELECT 2;");
  d.write("20240101000000_a/migration.sql", "SELECT 1;");
  d.write("manual_fix/migration.sql", "SELECT 3;");
  d.write("migration_lock.toml", "provider = \"postgresql\"\n");
  d.write("notes.txt", "hello");
  auto f = read_migrations(d.path.string());
  REQUIRE(f.migrations.size() == 3);
  CHECK(f.migrations[0].name == "20240101000000_a");
  CHECK(f.migrations[1].name == "20240102000000_b");
  CHECK(f.migrations[0].checksum == sha256_hex("SELECT 1;"));
  CHECK(f.warnings.size() == 2);

  d.write("20240103000000_c/other.sql", "x");
  CHECK_THROWS_AS(read_migrations(d.path.string()), kit::Error);
  CHECK_THROWS_AS(read_migrations((d.path / "nope").string()), kit::Error);
}

TEST_CASE("server positions (characters) map to line and column, UTF-8 aware") {
  std::string sql = "-- é\nSELECT x\n  FROM t;";
  CHECK(position_in(sql, 1).line == 1);
  auto p = position_in(sql, 13);  // "x": '-','-',' ','é','\n' = 5 chars, then "SELECT " = 7 -> x is char 13
  CHECK(p.line == 2);
  CHECK(p.col == 8);
  auto q = position_in(sql, 17);
  CHECK(q.line == 3);
  CHECK(q.col == 3);
}
