#pragma once
// Opening the database for a command: which URL, refusing poolers, and questions about the
// schema every command asks.
#include <memory>
#include <string>

#include "kit/runtime.hpp"
#include "pg/connection.hpp"
#include "pg/target.hpp"

namespace migrate_guard {

pg::DbTarget target_from_args(const kit::Context& ctx, const std::string& option = "database-url");

std::unique_ptr<pg::Connection> connect(const kit::Context& ctx, const pg::DbTarget& target);

// Objects in `schema` that are not the ledger and do not belong to an extension (PostGIS puts
// spatial_ref_sys in public): a non-empty schema without history needs baselining.
long long user_objects_in(pg::Connection& conn, const std::string& schema);

}  // namespace migrate_guard
