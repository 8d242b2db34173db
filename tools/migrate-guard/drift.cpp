// drift: the migrations applied to an empty shadow database must give the schema the target has.
// A difference means someone changed the database outside the migrations (`prisma db push`
// against production, a hand-made index), or a migration was edited after it ran.
#include "kit/log.hpp"
#include "migrate-guard/catalog.hpp"
#include "migrate-guard/database.hpp"
#include "migrate-guard/extensions.hpp"
#include "migrate-guard/migrate_guard.hpp"
#include "migrate-guard/migrations.hpp"
#include "migrate-guard/shadow.hpp"
#include "migrate-guard/status.hpp"
#include "pg/connection.hpp"
#include "pg/quote.hpp"

#include <nlohmann/json.hpp>

namespace migrate_guard {

namespace {

// What the target's history says was applied, in folder order: pending and failed migrations
// never ran there, so replaying them would show up as false drift.
std::vector<const Migration*> applied_migrations(pg::Connection& db, const pg::DbTarget& target, const MigrationsFolder& folder,
                                                 std::vector<std::string>& notes) {
  Status status = load_status(db, target.schema, folder);
  std::vector<const Migration*> out;
  if (!status.ledger_exists) {
    notes.push_back("the database has no migration history: all " + std::to_string(folder.migrations.size()) +
                    " migrations on disk are replayed");
    for (const auto& m : folder.migrations) out.push_back(&m);
    return out;
  }
  int skipped = 0;
  for (const auto& e : status.entries) {
    if ((e.state == State::applied || e.state == State::edited) && e.file) out.push_back(e.file);
    else if (e.state == State::missing) notes.push_back(e.name + " is applied but missing on disk: it cannot be replayed");
    else ++skipped;
  }
  if (skipped > 0) notes.push_back(std::to_string(skipped) + " migration(s) not applied to the database (pending or failed) are not replayed");
  return out;
}

}  // namespace

kit::Outcome run_drift(kit::Context& ctx) {
  MigrationsFolder folder = read_migrations(ctx.args.str("dir"));
  if (!ctx.args.has("shadow-database-url"))
    throw kit::usage_error("drift needs --shadow-database-url (an empty database the migrations are applied to)");
  pg::DbTarget target = target_from_args(ctx);
  pg::DbTarget shadow_target = target_from_args(ctx, "shadow-database-url");
  if (shadow_target.display == target.display)
    throw kit::usage_error("--shadow-database-url is the database itself: give an empty, throwaway database");
  // The replay must resolve unqualified names as the deploy did.
  if (target.schema_given && !shadow_target.schema_given) {
    shadow_target.schema = target.schema;
    shadow_target.schema_given = true;
  }
  std::vector<std::string> schemas = ctx.args.has("schema") ? ctx.args.list("schema") : std::vector<std::string>{target.schema};

  auto db = connect(ctx, target);
  auto shadow_conn = connect(ctx, shadow_target);
  ShadowDatabase shadow(*shadow_conn, shadow_target, schemas);
  std::vector<std::string> notes;
  std::vector<const Migration*> replay = applied_migrations(*db, target, folder, notes);
  for (const auto& n : notes) kit::log::info(n);

  // Extensions the target has are created in the shadow first, where the target keeps them.
  for (const auto& row : db->query("SELECT e.extname, n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
                                   "WHERE e.extname <> 'plpgsql'")) {
    auto checks = check_extensions(shadow.conn(), {*row[0]});
    shadow.conn().script("CREATE SCHEMA IF NOT EXISTS " + pg::quote_ident(*row[1]));
    create_missing_extensions(shadow.conn(), checks, *row[1]);
  }
  if (shadow_target.schema_given) shadow.conn().script("CREATE SCHEMA IF NOT EXISTS " + pg::quote_ident(shadow_target.schema));
  for (const Migration* m : replay) {
    try {
      shadow.conn().script(m->sql);
    } catch (const pg::PgError& e) {
      kit::Location where{.file = m->path, .title = "migrate-guard drift"};
      if (e.position > 0) {
        TextPosition p = position_in(m->sql, e.position);
        where.line = p.line;
        where.col = p.col;
      }
      ctx.report.annotate(kit::Severity::error, std::string("fails on an empty database: ") + e.what(), where);
      return {kit::Exit::negative, "migration " + m->name + " fails on an empty database: " + e.what(),
              "the migrations cannot reproduce the schema; fix " + m->path};
    }
  }

  auto actual = schema_snapshot(*db, schemas);
  auto expected = schema_snapshot(shadow.conn(), schemas);
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
                   "\n\n" + std::to_string(replay.size()) + " migrations replayed in the shadow database, " +
                   std::to_string(actual.size()) + " objects compared.\n\n";
  for (const auto& n : notes) md += "- " + n + "\n";
  if (!notes.empty()) md += "\n";
  if (drift) md += kit::markdown_table({"where", "object"}, rows);
  ctx.report.summary(md);
  for (const auto& r : rows) kit::log::warn(r[0] + ": " + r[1]);
  if (!drift) return {kit::Exit::ok, "no drift: the database matches its " + std::to_string(replay.size()) + " applied migrations"};
  return {kit::Exit::negative,
          "drift: " + std::to_string(only_db.size()) + " object(s) only in the database, " + std::to_string(only_migrations.size()) +
              " only in the migrations",
          "turn the change into a migration (prisma migrate diff) or undo it; never `prisma db push` in production"};
}

}  // namespace migrate_guard
