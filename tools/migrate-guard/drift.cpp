// drift: the migrations applied to an empty shadow database must give the schema the target has.
// A difference means someone changed the database outside the migrations (`prisma db push`
// against production, a hand-made index), or a migration was edited after it ran.
#include "kit/log.hpp"
#include "migrate-guard/catalog.hpp"
#include "migrate-guard/connection.hpp"
#include "migrate-guard/database.hpp"
#include "migrate-guard/extensions.hpp"
#include "migrate-guard/migrate_guard.hpp"
#include "migrate-guard/migrations.hpp"

#include <nlohmann/json.hpp>

namespace migrate_guard {

kit::Outcome run_drift(kit::Context& ctx) {
  MigrationsFolder folder = read_migrations(ctx.args.str("dir"));
  if (!ctx.args.has("shadow-database-url"))
    throw kit::usage_error("drift needs --shadow-database-url (an empty database the migrations are applied to)");
  std::vector<std::string> schemas = ctx.args.list("schema");
  DbTarget target = target_from_args(ctx);
  DbTarget shadow_target = target_from_args(ctx, "shadow-database-url");
  if (shadow_target.display == target.display)
    throw kit::usage_error("--shadow-database-url is the database itself: give an empty, throwaway database");

  auto db = connect(ctx, target);
  auto shadow = connect(ctx, shadow_target);
  for (const auto& s : schemas)
    if (user_objects_in(*shadow, s) > 0)
      throw kit::usage_error("the shadow database " + shadow_target.display + " is not empty (schema " + s + ")",
                             "create a fresh one: CREATE DATABASE app_shadow; its contents are discarded");

  // Extensions the target has are created in the shadow first, where the target keeps them.
  for (const auto& row : db->query("SELECT e.extname, n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
                                   "WHERE e.extname <> 'plpgsql'")) {
    auto checks = check_extensions(*shadow, {*row[0]});
    shadow->script("CREATE SCHEMA IF NOT EXISTS " + quote_ident(*row[1]));
    create_missing_extensions(*shadow, checks, *row[1]);
  }
  for (const auto& m : folder.migrations) {
    try {
      shadow->script(m.sql);
    } catch (const PgError& e) {
      TextPosition where = position_in(m.sql, e.position);
      ctx.report.annotate(kit::Severity::error, std::string("fails on an empty database: ") + e.what(),
                          {.file = m.path, .line = where.line, .col = where.col, .title = "migrate-guard drift"});
      return {kit::Exit::negative, "migration " + m.name + " fails on an empty database: " + e.what(),
              "the migrations cannot reproduce the schema; fix " + m.path};
    }
  }

  auto actual = schema_snapshot(*db, schemas);
  auto expected = schema_snapshot(*shadow, schemas);
  std::vector<std::string> only_db, only_migrations;
  for (const auto& l : actual)
    if (!expected.count(l)) only_db.push_back(l);
  for (const auto& l : expected)
    if (!actual.count(l)) only_migrations.push_back(l);

  std::vector<std::vector<std::string>> rows;
  for (const auto& l : only_db) rows.push_back({"only in the database", l});
  for (const auto& l : only_migrations) rows.push_back({"only in the migrations", l});
  bool drift = !rows.empty();
  ctx.report.output("drift", drift ? "true" : "false");
  ctx.report.output("differences", std::to_string(rows.size()));
  ctx.report.result("only_in_database", only_db);
  ctx.report.result("only_in_migrations", only_migrations);
  std::string md = std::string("### migrate-guard drift: ") + (drift ? "the database differs from the migrations" : "no drift") +
                   "\n\n" + std::to_string(folder.migrations.size()) + " migrations applied to the shadow database, " +
                   std::to_string(actual.size()) + " objects compared.\n\n";
  if (drift) md += kit::markdown_table({"where", "object"}, rows);
  ctx.report.summary(md);
  for (const auto& r : rows) kit::log::warn(r[0] + ": " + r[1]);
  if (!drift) return {kit::Exit::ok, "no drift: the database matches its " + std::to_string(folder.migrations.size()) + " migrations"};
  return {kit::Exit::negative,
          "drift: " + std::to_string(only_db.size()) + " object(s) only in the database, " + std::to_string(only_migrations.size()) +
              " only in the migrations",
          "turn the change into a migration (prisma migrate diff) or undo it; never `prisma db push` in production"};
}

}  // namespace migrate_guard
