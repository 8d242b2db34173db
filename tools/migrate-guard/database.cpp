#include "migrate-guard/database.hpp"

#include "kit/error.hpp"
#include "kit/log.hpp"

namespace migrate_guard {

std::unique_ptr<pg::Connection> connect(const Database& db) {
  // Which variable or flag named the database: with DATABASE_URL, DIRECT_URL and schema.prisma in
  // play, the reader must see which one was used.
  kit::log::info("database: " + db.target.display + (db.target.source.empty() ? "" : " (from " + db.target.source + ")"));
  auto conn = pg::Connection::open(db.target, db.connect_timeout);
  kit::log::debug("connected to " + db.target.display + " (PostgreSQL " + conn->server_version() + ", pid " +
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
