#include "migrate-guard/migrate_guard.hpp"

#include "migrate-guard/commands/common.hpp"

namespace migrate_guard {

using kit::OptionKind;

namespace {

kit::Option database_url() {
  return {"database-url", "PostgreSQL URL of the database to migrate (else the variable schema.prisma's directUrl/url names, else DIRECT_URL, "
          "DATABASE_URL, libpq's PG* variables); must be a direct connection, not a pooler",
          "", OptionKind::value, "URL", true};
}
kit::Option lock_timeout() {
  return {"lock-timeout", "how long to wait for the migration lock (pg_advisory_lock 72707369, shared with Prisma)", "10s",
          OptionKind::value, "DURATION"};
}
kit::Option require_extension() {
  return {"require-extension", "extensions that must exist before migrating, created if missing (e.g. postgis)", "",
          OptionKind::list, "NAME[,NAME]"};
}
kit::Option extension_schema() {
  return {"extension-schema", "schema --require-extension creates extensions in (Supabase: extensions)", "public",
          OptionKind::value, "SCHEMA"};
}
kit::Option disable_rule() {
  return {"disable-rule", "lint rules turned off for the whole run", "", OptionKind::list, "RULE"};
}

// lint reads the folder itself (commands/lint.cpp); a refused file is annotated at its line as
// for the other commands.
kit::Outcome run_lint_annotated(kit::Context& ctx) {
  return annotating_files(ctx, [&] { return run_lint(ctx); });
}

}  // namespace

const kit::ToolSpec& spec() {
  static const kit::ToolSpec s{
      "migrate-guard",
      "apply Prisma migrations natively (same bookkeeping and lock as Prisma), lint them, detect drift",
      {
          {"dir", "the migrations folder (<timestamp>_<name>/migration.sql, migration_lock.toml)", "prisma/migrations",
           OptionKind::value, "DIR"},
          {"connect-timeout", "deadline for connecting to the database", "10s", OptionKind::value, "DURATION"},
      },
      {
          {"status", "list applied, pending, failed, edited and missing migrations; exit 1 unless up to date",
           {database_url()}, run_status},
          {"deploy", "apply pending migrations in order, after refusing unsafe states",
           {database_url(), lock_timeout(), require_extension(), extension_schema(),
            {"lock-timeout-sql", "SET lock_timeout to this before each migration (e.g. 5s): DDL waiting on a hot table fails instead of blocking it",
             "", OptionKind::value, "DURATION"},
            {"statement-timeout", "SET statement_timeout to this before each migration", "", OptionKind::value, "DURATION"},
            {.name = "small-table-rows",
             .help = "a lint finding on an existing table with fewer rows than this (from the catalog) does not block; empty tables "
                     "and tables created by this run never do",
             .default_value = "0",
             .kind = OptionKind::value,
             .metavar = "N"},
            {"allow-edited", "deploy even though an applied migration was edited afterwards", "", OptionKind::flag},
            {"skip-lint", "do not refuse pending migrations with lint errors", "", OptionKind::flag},
            disable_rule(),
            {"dry-run", "print the plan (what would be applied, refusals) and change nothing", "", OptionKind::flag},
            {.name = "supabase-project",
             .help = "also create a named restore point in this Supabase project (Management API, token from SUPABASE_ACCESS_TOKEN) "
                     "before migrating, for pitr-restore --before-migration; if it cannot be created the deploy is refused",
             .metavar = "REF"},
            {.name = "supabase-api-url", .help = "Supabase Management API base URL", .default_value = "https://api.supabase.com",
             .metavar = "URL"},
            {.name = "allow-without-restore-point",
             .help = "with --supabase-project: deploy even if the restore point cannot be created (a warning; the restore "
                     "marker's time stays the recovery target)",
             .kind = OptionKind::flag}}, run_deploy},
          {"resolve", "mark a migration as applied or rolled back, with Prisma's semantics",
           {database_url(), lock_timeout(),
            {"applied", "record NAME as applied without running it (baselining, or after fixing a failure by hand)", "",
             OptionKind::value, "NAME"},
            {"rolled-back", "record the failed migration NAME as rolled back so it runs again on the next deploy", "",
             OptionKind::value, "NAME"}}, run_resolve},
          {"lint", "check migrations for statements that lock or rewrite hot tables; exit 1 on errors",
           {database_url(), disable_rule(),
            {"since", "lint only migrations changed since this git ref (e.g. origin/main); runs git, which the container image lacks (pass migration instead)", "", OptionKind::value, "GIT_REF"},
            {"pending", "lint only migrations not yet applied to the database", "", OptionKind::flag},
            {"migration", "lint only these migrations (folder names); earlier ones are still read for context", "",
             OptionKind::list, "NAME"},
            {"rules", "list the rules and exit", "", OptionKind::flag}}, run_lint_annotated},
          {"drift", "replay the applied migrations in an empty shadow database and compare its schema with the database's",
           {database_url(),
            {.name = "shadow-database-url",
             .help = "an EMPTY throwaway database the migrations are replayed in (emptied again afterwards); else the variable "
                     "schema.prisma's shadowDatabaseUrl names, else SHADOW_DATABASE_URL",
             .metavar = "URL",
             .secret = true},
            {"schema", "schemas to compare (default: the URL's ?schema=, else public)", "", OptionKind::list, "SCHEMA"}}, run_drift},
      },
      R"(  migrate-guard status --dir prisma/migrations
  DATABASE_URL=postgresql://app@db:5432/app migrate-guard deploy --require-extension postgis --lock-timeout 1m
  migrate-guard deploy --dry-run
  migrate-guard resolve --rolled-back 20240101000000_add_index
  migrate-guard lint --since origin/main
  migrate-guard drift --shadow-database-url postgresql://app@db:5432/app_shadow
)",
      lift_error};
  return s;
}

}  // namespace migrate_guard
