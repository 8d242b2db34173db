#include "migrate-guard/catalog.hpp"

#include "pg/connection.hpp"

namespace migrate_guard {
namespace {

// Each query returns one text line per object; those naming $1 take the schema list (comma-separated).
const char* const kQueries[] = {
    // tables, except the ledger and extension members
    R"(SELECT 'table ' || n.nspname || '.' || c.relname
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE c.relkind IN ('r', 'p') AND n.nspname = ANY(string_to_array($1, ','))
         AND c.relname <> '_prisma_migrations'
         AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e'))",
    // columns: type, nullability, default
    R"(SELECT 'column ' || n.nspname || '.' || c.relname || '.' || a.attname || ' ' ||
              format_type(a.atttypid, a.atttypmod) || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE ' NULL' END ||
              COALESCE(' DEFAULT ' || pg_get_expr(ad.adbin, ad.adrelid), '')
       FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
       WHERE c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
         AND n.nspname = ANY(string_to_array($1, ',')) AND c.relname <> '_prisma_migrations'
         AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e'))",
    // indexes, by definition
    R"(SELECT 'index ' || i.schemaname || '.' || i.indexname || ': ' || i.indexdef
       FROM pg_indexes i JOIN pg_class c ON c.relname = i.indexname
       JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = i.schemaname
       WHERE i.schemaname = ANY(string_to_array($1, ',')) AND i.tablename <> '_prisma_migrations'
         AND NOT EXISTS (SELECT 1 FROM pg_depend d JOIN pg_class t ON t.oid = d.objid
                         WHERE d.deptype = 'e' AND t.relname = i.tablename))",
    // constraints, by definition
    R"(SELECT 'constraint ' || n.nspname || '.' || cl.relname || '.' || co.conname || ': ' || pg_get_constraintdef(co.oid)
       FROM pg_constraint co JOIN pg_class cl ON cl.oid = co.conrelid JOIN pg_namespace n ON n.oid = cl.relnamespace
       WHERE n.nspname = ANY(string_to_array($1, ',')) AND cl.relname <> '_prisma_migrations'
         AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = cl.oid AND d.deptype = 'e'))",
    // enums with their labels in order
    R"(SELECT 'enum ' || n.nspname || '.' || t.typname || ' (' || string_agg(e.enumlabel, ', ' ORDER BY e.enumsortorder) || ')'
       FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace
       WHERE n.nspname = ANY(string_to_array($1, ','))
       GROUP BY n.nspname, t.typname)",
    // extensions (plpgsql is always there)
    R"(SELECT 'extension ' || extname FROM pg_extension WHERE extname <> 'plpgsql')",
};

}  // namespace

std::set<std::string> schema_snapshot(pg::Connection& conn, const std::vector<std::string>& schemas) {
  std::string list;
  for (const auto& s : schemas) list += (list.empty() ? "" : ",") + s;
  std::set<std::string> lines;
  for (const char* sql : kQueries)
    for (const auto& row : std::string(sql).find("$1") != std::string::npos ? conn.query(sql, {list}) : conn.query(sql))
      if (!row.empty() && row[0]) lines.insert(*row[0]);
  return lines;
}

}  // namespace migrate_guard
