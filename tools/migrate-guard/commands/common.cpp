#include "migrate-guard/commands/common.hpp"

#include "kit/error.hpp"
#include "kit/log.hpp"
#include "migrate-guard/prisma_schema.hpp"

namespace migrate_guard {
namespace {

// "--database-url" or "INPUT_DATABASE-URL", as the user gave it (the flag's name when not given).
std::string given_as(const kit::Args& args, const std::string& option) {
  std::string how = args.given_as(option);
  return how.empty() ? "--" + option : how;
}

}  // namespace

pg::DbTarget target_from_args(const kit::Context& ctx, const std::string& option) {
  // Prisma Migrate connects with the datasource's directUrl when it has one, else its url; the
  // variables they name come from schema.prisma beside the migrations folder. Without a schema,
  // Prisma's conventional names: DIRECT_URL before DATABASE_URL (the app's, often pooled).
  std::vector<std::string> vars;
  std::string why;
  if (option == "database-url") {
    auto ds = read_datasource(ctx.args.str("dir"));
    if (ds && !ds->provider.empty() && ds->provider != "postgresql" && ds->provider != "postgres")
      throw kit::usage_error(ds->path + ": provider \"" + ds->provider + "\" is not supported: migrate-guard works with PostgreSQL only");
    if (ds && !ds->direct_url_env.empty()) vars.push_back(ds->direct_url_env);
    if (ds && !ds->url_env.empty()) vars.push_back(ds->url_env);
    if (ds && !vars.empty()) why = ds->path;
    if (vars.empty()) vars = {"DIRECT_URL", "DATABASE_URL"};
    pg::DbTarget t = pg::resolve_target(ctx.args.str(option), given_as(ctx.args, option), ctx.env, vars);
    std::string role;
    if (ds && t.source == ds->direct_url_env) role = "directUrl in " + why;
    else if (ds && t.source == ds->url_env) role = "url in " + why + (ds->direct_url_env.empty() ? "" : "; " + ds->direct_url_env + " (directUrl) is not set");
    if (!role.empty()) t.source += " (" + role + ")";
    return t;
  }
  if (option == "shadow-database-url") {
    // Never libpq's PG* variables here: they name the real database, which the replay would fill.
    auto ds = read_datasource(ctx.args.str("dir"));
    vars.push_back(ds && !ds->shadow_url_env.empty() ? ds->shadow_url_env : "SHADOW_DATABASE_URL");
    bool given = !ctx.args.str(option).empty() || !ctx.env.get_or(vars[0], "").empty();
    if (!given)
      throw kit::usage_error("drift needs --shadow-database-url (or " + vars[0] +
                             "): an empty database the migrations are applied to");
  }
  return pg::resolve_target(ctx.args.str(option), given_as(ctx.args, option), ctx.env, vars);
}

Database database_from_args(const kit::Context& ctx, const std::string& option) {
  return {target_from_args(ctx, option), ctx.args.duration("connect-timeout")};
}

std::unique_ptr<pg::Connection> connect(const kit::Context& ctx, const pg::DbTarget& target) {
  return connect(Database{target, ctx.args.duration("connect-timeout")});
}

void report_folder_warnings(kit::Report& report, const MigrationsFolder& folder) {
  // annotate() logs the warning itself (or prints the workflow command under Actions): once.
  for (const auto& w : folder.warnings) {
    report.annotate(kit::Severity::warning, w, {.file = folder.dir, .title = "migrate-guard: migrations folder"});
  }
}

MigrationsFolder read_folder(const kit::Context& ctx) {
  MigrationsFolder folder = read_migrations(ctx.args.str("dir"));
  report_folder_warnings(ctx.report, folder);
  return folder;
}

}  // namespace migrate_guard
