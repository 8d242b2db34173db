#include "migrate-guard/extensions.hpp"

#include <regex>

#include "kit/error.hpp"
#include "kit/log.hpp"
#include "pg/connection.hpp"
#include "pg/quote.hpp"

namespace migrate_guard {

std::vector<std::string> parse_extension_list(const std::vector<std::string>& given) {
  static const std::regex name_re(R"(^[A-Za-z_][A-Za-z0-9_-]*$)");
  std::vector<std::string> out;
  for (const auto& item : given) {
    size_t start = 0;
    while (start <= item.size()) {
      size_t comma = item.find(',', start);
      std::string n = item.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      n.erase(0, n.find_first_not_of(" \t"));
      n.erase(n.find_last_not_of(" \t") + 1);
      if (!n.empty()) {
        if (!std::regex_match(n, name_re)) throw kit::usage_error("--require-extension: '" + n + "' is not an extension name");
        out.push_back(n);
      }
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  return out;
}

std::vector<ExtensionCheck> check_extensions(pg::Connection& conn, const std::vector<std::string>& names) {
  std::vector<ExtensionCheck> out;
  for (const auto& n : names) {
    ExtensionCheck c;
    c.name = n;
    c.installed_schema = conn.scalar(
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = $1", {n});
    c.available = !c.installed_schema.empty() || conn.scalar("SELECT count(*) FROM pg_available_extensions WHERE name = $1", {n}) != "0";
    if (c.installed_schema.empty() && !c.available)
      throw kit::environment_error("extension " + n + " is required (--require-extension) but this server does not have it",
                                   "install it on the server (Debian: postgresql-15-postgis-3 for postgis) or enable it in "
                                   "your provider's dashboard, then deploy again");
    out.push_back(c);
  }
  return out;
}

std::vector<std::string> create_missing_extensions(pg::Connection& conn, const std::vector<ExtensionCheck>& checks,
                                                   const std::string& schema) {
  std::vector<std::string> created;
  for (const auto& c : checks) {
    if (!c.installed_schema.empty()) {
      if (c.installed_schema != schema)
        kit::log::info("extension " + c.name + " is installed in schema " + c.installed_schema + " (not " + schema + "); leaving it there");
      continue;
    }
    try {
      if (conn.scalar("SELECT count(*) FROM pg_namespace WHERE nspname = $1", {schema}) == "0")
        conn.query("CREATE SCHEMA IF NOT EXISTS " + pg::quote_ident(schema));
      conn.query("CREATE EXTENSION IF NOT EXISTS " + pg::quote_ident(c.name) + " WITH SCHEMA " + pg::quote_ident(schema));
    } catch (const pg::PgError& e) {
      throw kit::environment_error("could not create extension " + c.name + " in schema " + schema + ": " + e.what(),
                                   "create it as a privileged user (or in your provider's dashboard), then deploy again");
    }
    kit::log::info("created extension " + c.name + " in schema " + schema);
    created.push_back(c.name);
  }
  return created;
}

}  // namespace migrate_guard
