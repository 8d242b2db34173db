#pragma once
// --require-extension: extensions migrations depend on (PostGIS's geometry type) must exist
// before the first migration runs.
#include <string>
#include <vector>

namespace pg {
class Connection;
}  // namespace pg

namespace migrate_guard {

struct ExtensionCheck {
  std::string name;
  std::string installed_schema;  // "" when not installed
  bool available = false;        // the server has it (pg_available_extensions)
};

std::vector<std::string> parse_extension_list(const std::vector<std::string>& given);  // splits commas, validates
std::vector<ExtensionCheck> check_extensions(pg::Connection& conn, const std::vector<std::string>& names);
// Creates the missing ones in `schema`; throws kit::Error(environment) when that is impossible.
std::vector<std::string> create_missing_extensions(pg::Connection& conn, const std::vector<ExtensionCheck>& checks,
                                                   const std::string& schema);

}  // namespace migrate_guard
