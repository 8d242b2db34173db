#pragma once
// The migrations folder as Prisma lays it out: <dir>/<timestamp>_<name>/migration.sql, applied in
// folder-name order, with migration_lock.toml (provider = "postgresql") beside them.
#include <string>
#include <vector>

namespace migrate_guard {

struct Migration {
  std::string name;      // folder name, e.g. 20240101120000_init
  std::string path;      // <dir>/<name>/migration.sql, for messages and annotations
  std::string sql;       // the raw bytes
  std::string checksum;  // lowercase hex SHA-256 of the raw bytes, as Prisma records it
};

struct MigrationsFolder {
  std::string dir;
  std::vector<Migration> migrations;  // sorted by name
  std::vector<std::string> warnings;  // unexpected entries, names not in <timestamp>_<name> form
};

// Reads the folder. Throws kit::Error(usage) when it is missing, a migration folder has no
// migration.sql, or migration_lock.toml is unreadable or names another provider.
MigrationsFolder read_migrations(const std::string& dir);

std::string sha256_hex(const std::string& bytes);

// Prisma compares checksums tolerantly: the file as is, with CRLF turned into LF, or LF into CRLF.
bool checksum_matches(const Migration& m, const std::string& recorded);

// Checks migration_lock.toml's text; returns "" when fine, else what is wrong.
std::string check_lock_toml(const std::string& text);

// 1-based line and column of a 1-based character position (PostgreSQL counts characters, and
// the files are UTF-8).
struct TextPosition {
  int line = 0;
  int col = 0;
};
TextPosition position_in(const std::string& text, int char_position);

}  // namespace migrate_guard
