#include "kit/error.hpp"
#include "migrate-guard/migrate_guard.hpp"
#include "pg/connection.hpp"

namespace migrate_guard {

// A query the tool itself sent failed (not a migration: those are handled where they run).
void lift_error() {
  try {
    throw;
  } catch (const pg::PgError& e) {
    throw kit::environment_error(std::string("database error: ") + (e.sqlstate.empty() ? "" : e.sqlstate + " ") + e.what(),
                                 e.connection_lost
                                     ? "the connection to the database was lost; check `migrate-guard status` before retrying"
                                     : "check the database user's privileges, then retry");
  } catch (...) {
  }
}

}  // namespace migrate_guard
