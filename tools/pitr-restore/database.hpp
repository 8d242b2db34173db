#pragma once
// What pitr-restore asks PostgreSQL (through tools/pg): is the server still recovering, does
// --verify-sql return a row, which migrations were applied when. libpq stays in database.cpp.
#include <optional>
#include <string>
#include <vector>

#include "kit/duration.hpp"
#include "kit/env.hpp"
#include "pitr-restore/plan.hpp"

namespace pitr_restore {

// Where to connect: a database URL (learned as a secret) or a libpq keyword string for a socket.
struct Endpoint {
  std::string conninfo;
  std::string display;  // password-free
  std::string dbname;
};

// A --database-url value as an endpoint (libpq's PG* variables fill what it leaves out); throws
// kit::Error(usage) on a bad URL.
Endpoint endpoint_from_url(const Request& request, const kit::Env& env);  // request.database_url is set
// The data directory's own Unix socket and port (postmaster.pid), as `user`, to `dbname`.
std::optional<Endpoint> socket_endpoint(const std::string& pgdata, const std::string& user, const std::string& dbname);

struct ServerProbe {
  bool connected = false;
  bool in_recovery = true;
  std::string replay_lsn;   // pg_last_wal_replay_lsn()
  std::string replay_time;  // pg_last_xact_replay_timestamp()
  std::string error;        // why it could not connect
};
ServerProbe probe_server(const Endpoint& endpoint, kit::Millis timeout);

// The first row --verify-sql returns (as text, NULL as ""), or nullopt when it returns none.
// Throws kit::Error(environment) with the server's message.
std::optional<std::vector<std::string>> first_row(const Endpoint& endpoint, const std::string& sql, kit::Millis timeout);

// _prisma_migrations in the URL's schema (Prisma's ?schema=, else public); nullopt with `problem`
// when it cannot be read.
std::optional<std::vector<AppliedMigration>> read_ledger(const Endpoint& endpoint, const std::string& schema, kit::Millis timeout,
                                                         std::string& problem);
std::string schema_of(const Request& request, const kit::Env& env);

}  // namespace pitr_restore
