#pragma once
// The migrations folder as Prisma lays it out: <dir>/<timestamp>_<name>/migration.sql, applied in
// folder-name order, with migration_lock.toml (provider = "postgresql") beside them.
#include <string>
#include <vector>

#include "kit/error.hpp"

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

// A migration file that cannot be applied as it is: a NUL byte ends the C string libpq sends, so
// everything after it would be silently dropped while the migration is recorded as applied.
// A usage error (exit 2) that knows the file and line, so commands annotate it there.
struct UnusableMigration : kit::Error {
  UnusableMigration(std::string path_, int line_, std::string message, std::string hint)
      : kit::Error(kit::Exit::usage, std::move(message), std::move(hint)), path(std::move(path_)), line(line_) {}
  std::string path;
  int line = 0;
};

// Reads the folder. Throws kit::Error(usage) when it is missing or unreadable (a symlink loop), a
// migration folder has no migration.sql (naming the migrations folder when --dir is one level too
// high), migration_lock.toml is unreadable or names another provider; UnusableMigration for a
// migration.sql with a NUL byte.
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
