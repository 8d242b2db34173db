#pragma once
// A comparable picture of a database schema, read from pg_catalog: one line per table, column
// (type, nullability, default), index, constraint, enum and extension. Two snapshots compare as
// sets of lines, which is what `drift` reports.
#include <set>
#include <string>
#include <vector>

namespace pg {
class Connection;
}  // namespace pg

namespace migrate_guard {

// Objects owned by extensions (PostGIS's spatial_ref_sys) and the ledger table are left out.
std::set<std::string> schema_snapshot(pg::Connection& conn, const std::vector<std::string>& schemas);

}  // namespace migrate_guard
