#include "migrate-guard/shadow.hpp"

#include <algorithm>

#include "kit/error.hpp"
#include "kit/log.hpp"
#include "migrate-guard/database.hpp"
#include "pg/quote.hpp"

namespace migrate_guard {
namespace {

const char* kUserSchemas =
    "SELECT n.nspname, pg_get_userbyid(n.nspowner) FROM pg_namespace n "
    "WHERE n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema' ORDER BY 1";

bool contains(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

}  // namespace

ShadowDatabase::ShadowDatabase(pg::Connection& conn, const pg::DbTarget& target, const std::vector<std::string>& schemas)
    : conn_(conn), display_(target.display) {
  for (const auto& s : schemas)
    if (user_objects_in(conn_, s) > 0)
      throw kit::usage_error("the shadow database " + target.display + " is not empty (schema " + s + ")",
                             "point --shadow-database-url at an empty, throwaway database (CREATE DATABASE app_shadow)");
  for (const auto& row : conn_.query(kUserSchemas)) {
    SchemaState s{*row[0], *row[1], user_objects_in(conn_, *row[0]) == 0, {}};
    for (const auto& g : conn_.query(
             "SELECT format('GRANT %s ON SCHEMA %I TO %s', a.privilege_type, n.nspname, "
             "CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(a.grantee)) END) "
             "FROM pg_namespace n, aclexplode(n.nspacl) a WHERE n.nspname = $1 AND a.grantee <> n.nspowner",
             {s.name}))
      s.grants.push_back(*g[0]);
    schemas_before_.push_back(std::move(s));
  }
  for (const auto& row : conn_.query("SELECT extname FROM pg_extension")) extensions_before_.push_back(*row[0]);
}

ShadowDatabase::~ShadowDatabase() {
  try {
    reset();
  } catch (const std::exception& e) {
    kit::log::warn("could not empty the shadow database " + display_ + " again: " + e.what() +
                   "; drop and recreate it before the next drift run");
  }
}

void ShadowDatabase::reset() {
  if (reset_done_) return;
  reset_done_ = true;
  for (const auto& row : conn_.query("SELECT extname FROM pg_extension"))
    if (!contains(extensions_before_, *row[0])) conn_.query("DROP EXTENSION IF EXISTS " + pg::quote_ident(*row[0]) + " CASCADE");
  std::vector<std::string> before;
  for (const auto& s : schemas_before_) before.push_back(s.name);
  for (const auto& row : conn_.query(kUserSchemas))
    if (!contains(before, *row[0])) conn_.query("DROP SCHEMA " + pg::quote_ident(*row[0]) + " CASCADE");
  // Only schemas that held nothing when we started are emptied, so this loses nothing.
  for (const auto& s : schemas_before_) {
    if (!s.was_empty || user_objects_in(conn_, s.name) == 0) continue;
    std::string sql = "BEGIN; DROP SCHEMA " + pg::quote_ident(s.name) + " CASCADE; CREATE SCHEMA " + pg::quote_ident(s.name) +
                      " AUTHORIZATION " + pg::quote_ident(s.owner) + ";";
    for (const auto& g : s.grants) sql += " " + g + ";";
    conn_.script(sql + " COMMIT;");
  }
  kit::log::debug("shadow database " + display_ + " emptied again");
}

}  // namespace migrate_guard
