#include "migrate-guard/database.hpp"

#include "kit/error.hpp"
#include "kit/log.hpp"

namespace migrate_guard {

pg::DbTarget target_from_args(const kit::Context& ctx, const std::string& option) {
  return pg::resolve_target(ctx.args.str(option), "--" + option, ctx.env);
}

std::unique_ptr<pg::Connection> connect(const kit::Context& ctx, const pg::DbTarget& target) {
  auto conn = pg::Connection::open(target, ctx.args.duration("connect-timeout"));
  kit::log::debug("connected to " + target.display + " (PostgreSQL " + conn->server_version() + ", pid " +
                  std::to_string(conn->backend_pid()) + ")");
  return conn;
}

long long user_objects_in(pg::Connection& conn, const std::string& schema) {
  std::string n = conn.scalar(R"(
    WITH ns AS (SELECT oid FROM pg_namespace WHERE nspname = $1),
    ext AS (SELECT objid FROM pg_depend WHERE deptype = 'e')
    SELECT (SELECT count(*) FROM pg_class c WHERE c.relnamespace IN (SELECT oid FROM ns)
              AND c.relkind IN ('r','p','v','m','S','f') AND c.relname <> '_prisma_migrations'
              AND c.oid NOT IN (SELECT objid FROM ext)
              AND NOT (c.relkind = 'S' AND EXISTS (SELECT 1 FROM pg_depend d JOIN pg_class t ON t.oid = d.refobjid
                                                   WHERE d.objid = c.oid AND d.deptype IN ('a','i') AND t.relname = '_prisma_migrations')))
         + (SELECT count(*) FROM pg_type t WHERE t.typnamespace IN (SELECT oid FROM ns) AND t.typtype IN ('e','d','c')
              AND t.typrelid = 0 AND t.oid NOT IN (SELECT objid FROM ext))
         + (SELECT count(*) FROM pg_proc p WHERE p.pronamespace IN (SELECT oid FROM ns) AND p.oid NOT IN (SELECT objid FROM ext))
  )",
                               {schema});
  return n.empty() ? 0 : std::stoll(n);
}

}  // namespace migrate_guard
