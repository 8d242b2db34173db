// drift: options -> DriftRequest -> check_drift() -> outputs, the differences as a table; exit 1
// when the database differs from its applied migrations.
#include <nlohmann/json.hpp>

#include "kit/error.hpp"
#include "kit/log.hpp"
#include "migrate-guard/commands/common.hpp"
#include "migrate-guard/drift.hpp"
#include "migrate-guard/migrate_guard.hpp"

namespace migrate_guard {

namespace {

kit::Outcome drift_command(kit::Context& ctx) {
  DriftRequest req{.dir = ctx.args.str("dir"),
                   .db = database_from_args(ctx),
                   .shadow = database_from_args(ctx, "shadow-database-url"),
                   .schemas = ctx.args.has("schema") ? ctx.args.list("schema") : std::vector<std::string>{}};
  DriftResult r = check_drift(req);
  if (const auto& f = r.replay_failure) {
    ctx.report.annotate(kit::Severity::error, "fails on an empty database: " + f->error,
                        {.file = f->path, .line = f->where.line, .col = f->where.col, .title = "migrate-guard drift"});
    return {kit::Exit::negative, "migration " + f->migration + " fails on an empty database: " + f->error,
            "the migrations cannot reproduce the schema; fix " + f->path};
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& l : r.only_in_database) rows.push_back({"only in the database", l});
  for (const auto& l : r.only_in_migrations) rows.push_back({"only in the migrations", l});
  bool drift = r.drift();
  ctx.report.output("drift", drift ? "true" : "false");
  ctx.report.output("differences", std::to_string(rows.size()));
  ctx.report.result("only_in_database", r.only_in_database);
  ctx.report.result("only_in_migrations", r.only_in_migrations);
  std::string md = std::string("### migrate-guard drift: ") + (drift ? "the database differs from the migrations" : "no drift") +
                   "\n\n" + std::to_string(r.replayed) + " migrations replayed in the shadow database, " +
                   std::to_string(r.compared) + " objects compared.\n\n";
  for (const auto& n : r.notes) md += "- " + n + "\n";
  if (!r.notes.empty()) md += "\n";
  if (drift) md += kit::markdown_table({"where", "object"}, rows);
  ctx.report.summary(md);
  for (const auto& row : rows) kit::log::warn(row[0] + ": " + row[1]);
  if (!drift) return {kit::Exit::ok, "no drift: the database matches its " + std::to_string(r.replayed) + " applied migrations"};
  return {kit::Exit::negative,
          "drift: " + std::to_string(r.only_in_database.size()) + " object(s) only in the database, " +
              std::to_string(r.only_in_migrations.size()) + " only in the migrations",
          "turn the change into a migration (prisma migrate diff) or undo it; never `prisma db push` in production"};
}

}  // namespace

kit::Outcome run_drift(kit::Context& ctx) {
  return annotating_files(ctx, [&] { return drift_command(ctx); });
}

}  // namespace migrate_guard
