#include "migrate-guard/migrations.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <cctype>
#include <regex>
#include <sstream>

#include "kit/error.hpp"
#include "kit/text.hpp"

namespace fs = std::filesystem;

namespace migrate_guard {
namespace {

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw kit::usage_error("cannot read " + p.string());
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string crlf_to_lf(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i)
    if (!(s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n')) out += s[i];
  return out;
}

std::string lf_to_crlf(const std::string& s) {
  std::string out;
  out.reserve(s.size() + s.size() / 20);
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r')) out += '\r';
    out += s[i];
  }
  return out;
}

std::string trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

}  // namespace

std::string sha256_hex(const std::string& bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &len, EVP_sha256(), nullptr);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 15];
  }
  return out;
}

bool checksum_matches(const Migration& m, const std::string& recorded) {
  if (m.checksum == recorded) return true;
  return sha256_hex(crlf_to_lf(m.sql)) == recorded || sha256_hex(lf_to_crlf(m.sql)) == recorded;
}

namespace {

// `key = "value"` as migration_lock.toml writes it: a bare key ([A-Za-z_][A-Za-z0-9_-]*), '=',
// and a basic string without quotes inside, white space around '='.
bool lock_toml_pair(const std::string& t, std::string& key, std::string& value) {
  auto space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  auto key_char = [](char c, bool first) {
    return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || (!first && (std::isdigit(static_cast<unsigned char>(c)) || c == '-'));
  };
  size_t i = 0;
  while (i < t.size() && key_char(t[i], i == 0) && static_cast<unsigned char>(t[i]) < 0x80) ++i;
  if (i == 0) return false;
  key = t.substr(0, i);
  while (i < t.size() && space(t[i])) ++i;
  if (i >= t.size() || t[i] != '=') return false;
  ++i;
  while (i < t.size() && space(t[i])) ++i;
  if (i >= t.size() || t[i] != '"') return false;
  size_t close = t.find('"', i + 1);
  if (close == std::string::npos || close != t.size() - 1) return false;
  value = t.substr(i + 1, close - i - 1);
  return true;
}

}  // namespace

std::string check_lock_toml(const std::string& text) {
  std::istringstream in(text);
  std::string line, provider;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    auto hash = line.find('#');
    std::string t = trim(hash == std::string::npos ? line : line.substr(0, hash));
    if (t.empty()) continue;
    // key = "value", read by hand: std::regex recursed once per character of the value and a
    // 200 KB line overflowed the stack (found by tests/fuzz/lock_toml_fuzz).
    std::string key, value;
    if (!lock_toml_pair(t, key, value)) return "line " + std::to_string(n) + " is not `key = \"value\"`";
    if (key == "provider") provider = value;
  }
  if (provider.empty()) return "it does not name a provider (expected provider = \"postgresql\")";
  if (provider != "postgresql" && provider != "postgres")
    return "its provider is \"" + provider + "\", not \"postgresql\"";
  return "";
}

namespace {

// `--dir prisma` instead of `--dir prisma/migrations`: the folder that holds migration folders.
bool holds_migrations(const fs::path& p) {
  std::error_code ec;
  if (fs::exists(p / "migration_lock.toml", ec)) return true;
  for (fs::directory_iterator it(p, ec), end; !ec && it != end; it.increment(ec))
    if (fs::is_regular_file(it->path() / "migration.sql", ec)) return true;
  return false;
}

[[noreturn]] void unreadable(const std::string& what, const std::error_code& ec) {
  std::string why = ec.message();
  if (ec == std::errc::too_many_symbolic_link_levels) why += " (a symlink loop)";
  throw kit::usage_error("--dir: cannot read " + what + ": " + why);
}

}  // namespace

MigrationsFolder read_migrations(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    if (ec && ec != std::errc::no_such_file_or_directory) unreadable("'" + dir + "'", ec);
    throw kit::usage_error("--dir: '" + dir + "' is not a folder (expected prisma/migrations with <timestamp>_<name>/migration.sql)");
  }
  MigrationsFolder folder;
  folder.dir = dir;
  static const std::regex name_re(R"(^[0-9]{8,}_[A-Za-z0-9_.-]+$)");
  std::vector<fs::directory_entry> entries;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) entries.push_back(*it);
  if (ec) unreadable("'" + dir + "'", ec);
  for (const auto& e : entries) {
    std::string name = e.path().filename().string();
    bool is_dir = e.is_directory(ec);
    if (ec) unreadable("'" + e.path().string() + "'", ec);
    if (is_dir) {
      fs::path sql = e.path() / "migration.sql";
      bool has_sql = fs::is_regular_file(sql, ec);
      if (ec && ec != std::errc::no_such_file_or_directory) unreadable("'" + sql.string() + "'", ec);
      if (!has_sql) {
        if (holds_migrations(e.path()))
          throw kit::usage_error("--dir: '" + dir + "' holds the migrations folder '" + name + "', not migrations: did you mean --dir " +
                                 (fs::path(dir) / name).lexically_normal().string() + "?");
        throw kit::usage_error("migration folder '" + name + "' has no migration.sql (" + sql.string() + ")");
      }
      // The name goes into _prisma_migrations.migration_name (text in the database's encoding):
      // bytes that are not UTF-8 fail that INSERT mid-deploy, after earlier migrations were applied.
      if (kit::valid_utf8(name) != name)
        throw kit::usage_error("migration folder '" + kit::quote_value(name, 80) + "' in " + dir +
                               " has a name that is not valid UTF-8; the database could not record it", "rename the folder");
      if (!std::regex_match(name, name_re))
        folder.warnings.push_back("'" + name + "' is not named <timestamp>_<name>; it is still applied in name order");
      Migration m;
      m.name = name;
      m.path = (fs::path(dir) / name / "migration.sql").lexically_normal().string();
      m.sql = read_file(sql);
      m.checksum = sha256_hex(m.sql);
      if (auto nul = m.sql.find('\0'); nul != std::string::npos) {
        int line = 1 + static_cast<int>(std::count(m.sql.begin(), m.sql.begin() + static_cast<long>(nul), '\n'));
        throw UnusableMigration(m.path, line,
                                m.path + ":" + std::to_string(line) + ": migration.sql contains a NUL byte: nothing after it would be "
                                "sent to the server, so the migration is refused",
                                "remove the NUL byte (an editor or encoding accident: save the file as UTF-8 text) and deploy again");
      }
      // PostgreSQL reads a byte-order mark as part of the first word ("syntax error at or near
      // \uFEFFCREATE"): the deploy would fail on the server and leave a failed row to resolve.
      if (m.sql.rfind("\xEF\xBB\xBF", 0) == 0)
        throw UnusableMigration(m.path, 1, m.path + ":1: migration.sql starts with a UTF-8 byte-order mark, which PostgreSQL "
                                "reads as part of the first statement (a syntax error on the server), so the migration is refused",
                                "save the file as UTF-8 without BOM (in VS Code: the encoding in the status bar, 'Save with "
                                "Encoding', UTF-8) and deploy again");
      folder.migrations.push_back(std::move(m));
    } else if (name == "migration_lock.toml") {
      std::string problem = check_lock_toml(read_file(e.path()));
      if (!problem.empty()) throw kit::usage_error(e.path().string() + " is broken: " + problem);
    } else if (name != ".gitkeep" && name != "README.md") {
      folder.warnings.push_back("unexpected file '" + name + "' in " + dir + " (only migration folders and migration_lock.toml belong there)");
    }
  }
  std::sort(folder.migrations.begin(), folder.migrations.end(),
            [](const Migration& a, const Migration& b) { return a.name < b.name; });
  return folder;
}

TextPosition position_in(const std::string& text, int char_position) {
  TextPosition p{1, 1};
  int chars = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if ((c & 0xC0) == 0x80) continue;  // UTF-8 continuation byte: same character
    if (++chars == char_position) return p;
    if (c == '\n') {
      ++p.line;
      p.col = 1;
    } else {
      ++p.col;
    }
  }
  return p;
}

}  // namespace migrate_guard
