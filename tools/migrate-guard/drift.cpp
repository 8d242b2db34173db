#include "migrate-guard/drift.hpp"

#include "kit/error.hpp"
#include "kit/log.hpp"
#include "migrate-guard/catalog.hpp"
#include "migrate-guard/extensions.hpp"
#include "migrate-guard/migrations.hpp"
#include "migrate-guard/shadow.hpp"
#include "migrate-guard/status.hpp"
#include "pg/connection.hpp"
#include "pg/quote.hpp"

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

DriftResult check_drift(const DriftRequest& req) {
  MigrationsFolder folder = read_migrations(req.dir);
  const pg::DbTarget& target = req.db.target;
  Database shadow_db = req.shadow;
  pg::DbTarget& shadow_target = shadow_db.target;
  if (shadow_target.display == target.display)
    throw kit::usage_error("--shadow-database-url is the database itself: give an empty, throwaway database");
  // The replay must resolve unqualified names as the deploy did.
  if (target.schema_given && !shadow_target.schema_given) {
    shadow_target.schema = target.schema;
    shadow_target.schema_given = true;
  }
  std::vector<std::string> schemas = req.schemas.empty() ? std::vector<std::string>{target.schema} : req.schemas;

  auto db = connect(req.db);
  auto shadow_conn = connect(shadow_db);
  ShadowDatabase shadow(*shadow_conn, shadow_target, schemas);
  DriftResult r;
  std::vector<const Migration*> replay = applied_migrations(*db, target, folder, r.notes);
  for (const auto& n : r.notes) kit::log::info(n);

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
      ReplayFailure f{m->name, m->path, e.what(), {}};
      if (e.position > 0) f.where = position_in(m->sql, e.position);
      r.replay_failure = f;
      return r;
    }
  }
  r.replayed = replay.size();

  auto actual = schema_snapshot(*db, schemas);
  auto expected = schema_snapshot(shadow.conn(), schemas);
  r.compared = actual.size();
  for (const auto& l : actual)
    if (!expected.count(l)) r.only_in_database.push_back(l);
  for (const auto& l : expected)
    if (!actual.count(l)) r.only_in_migrations.push_back(l);
  return r;
}

}  // namespace migrate_guard
