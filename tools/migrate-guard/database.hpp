#pragma once
// Which database a command talks to and how to open it, plus questions about the schema every
// command asks. Typed values only: the options are read in commands/.
#include <memory>
#include <string>

#include "kit/duration.hpp"
#include "pg/connection.hpp"
#include "pg/target.hpp"

namespace migrate_guard {

struct Database {
  pg::DbTarget target;
  kit::Millis connect_timeout{10'000};
};

std::unique_ptr<pg::Connection> connect(const Database& db);

// Objects in `schema` that are not the ledger and do not belong to an extension (PostGIS puts
// spatial_ref_sys in public): a non-empty schema without history needs baselining.
long long user_objects_in(pg::Connection& conn, const std::string& schema);

}  // namespace migrate_guard
