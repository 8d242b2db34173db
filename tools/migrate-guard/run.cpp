#include "kit/log.hpp"
#include "migrate-guard/connection.hpp"
#include "migrate-guard/migrate_guard.hpp"

namespace migrate_guard {
namespace {

kit::Outcome dispatch(kit::Context& ctx) {
  const std::string& c = ctx.args.command();
  if (c == "status") return run_status(ctx);
  if (c == "deploy") return run_deploy(ctx);
  if (c == "resolve") return run_resolve(ctx);
  if (c == "lint") return run_lint(ctx);
  if (c == "drift") return run_drift(ctx);
  throw kit::usage_error("unknown command '" + c + "'");
}

}  // namespace

kit::Outcome run(kit::Context& ctx) {
  try {
    return dispatch(ctx);
  } catch (const PgError& e) {
    // A query the tool itself sent failed (not a migration: those are handled where they run).
    throw kit::environment_error(std::string("database error: ") + (e.sqlstate.empty() ? "" : e.sqlstate + " ") + e.what(),
                                 e.connection_lost
                                     ? "the connection to the database was lost; check `migrate-guard status` before retrying"
                                     : "check the database user's privileges, then retry");
  }
}

}  // namespace migrate_guard
