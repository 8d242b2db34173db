#pragma once
// Opening the database for a command: which URL, refusing poolers, and questions about the
// schema every command asks.
#include <memory>
#include <string>

#include "kit/runtime.hpp"
#include "migrate-guard/connection.hpp"
#include "migrate-guard/target.hpp"

namespace migrate_guard {

DbTarget target_from_args(const kit::Context& ctx, const std::string& option = "database-url");

// Throws kit::Error(usage) when the URL goes through a transaction pooler: the session lock and
// one-query scripts need a direct connection.
void refuse_pooler(const DbTarget& target);

std::unique_ptr<Connection> connect(const kit::Context& ctx, const DbTarget& target);

// A transaction pooler hands consecutive statements to different server sessions; a direct
// connection never does. Returns why this looks like a pooler, or "".
std::string server_side_pooler_reason(Connection& conn);

// Objects in `schema` that are not the ledger and do not belong to an extension (PostGIS puts
// spatial_ref_sys in public): a non-empty schema without history needs baselining.
long long user_objects_in(Connection& conn, const std::string& schema);

}  // namespace migrate_guard
