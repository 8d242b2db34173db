#include "migrate-guard/prisma_schema.hpp"

#include <cctype>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

namespace migrate_guard {

std::optional<Datasource> parse_datasource(const std::string& text) {
  // Comments out first (`//` to the end of the line; `///` doc comments too), outside strings.
  std::string clean;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '"' && (i == 0 || text[i - 1] != '\\')) in_string = !in_string;
    if (!in_string && c == '/' && i + 1 < text.size() && text[i + 1] == '/') {
      while (i < text.size() && text[i] != '\n') ++i;
      clean += '\n';
      continue;
    }
    clean += c;
  }
  // Found by hand, not std::regex: a schema has thousands of lines and std::regex recurses per
  // character. The block itself is a few lines; a huge one is not a datasource Prisma would accept.
  size_t at = 0, open = std::string::npos;
  while ((at = clean.find("datasource", at)) != std::string::npos) {
    bool word_start = at == 0 || std::isspace(static_cast<unsigned char>(clean[at - 1]));
    size_t brace = clean.find('{', at);
    if (word_start && brace != std::string::npos && clean.find('\n', at) >= brace) {
      open = brace;
      break;
    }
    at += 10;
  }
  if (open == std::string::npos) return std::nullopt;
  size_t close = clean.find('}', open);
  if (close == std::string::npos || close - open > 16384) return std::nullopt;
  std::string body = clean.substr(open + 1, close - open - 1);
  Datasource d;
  static const std::regex field(R"re((\w+)\s*=\s*(env\(\s*"([^"]*)"\s*\)|"([^"]*)"))re");
  for (std::sregex_iterator it(body.begin(), body.end(), field), end; it != end; ++it) {
    std::string key = (*it)[1], env_name = (*it)[3], literal = (*it)[4];
    if (key == "provider") d.provider = literal;
    else if (key == "url") d.url_env = env_name;
    else if (key == "directUrl") d.direct_url_env = env_name;
    else if (key == "shadowDatabaseUrl") d.shadow_url_env = env_name;
  }
  return d;
}

std::optional<Datasource> read_datasource(const std::string& migrations_dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path path = fs::path(migrations_dir).lexically_normal();
  if (path.filename().empty()) path = path.parent_path();
  path = path.parent_path() / "schema.prisma";
  if (!fs::is_regular_file(path, ec)) return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  auto d = parse_datasource(s.str());
  if (d) d->path = path.string();
  return d;
}

}  // namespace migrate_guard
