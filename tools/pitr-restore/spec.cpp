#include "pitr-restore/pitr_restore.hpp"

namespace pitr_restore {

using kit::OptionKind;

namespace {

std::vector<kit::Option> target_options() {
  return {
      {.name = "to", .help = "recover up to this time: RFC 3339 with a zone (2026-11-28T23:10:00Z) or a duration ago ('15m ago', '3d ago')", .metavar = "TIME"},
      {.name = "restore-point", .help = "recover to this named restore point (pg_create_restore_point, Supabase restore points)",
       .metavar = "NAME"},
      {.name = "lsn", .help = "recover up to this WAL location (self-managed), e.g. 0/3000028", .metavar = "LSN"},
      {.name = "before-migration",
       .help = "recover to just before this Prisma migration started (restore point migrate-guard created, else "
               "_prisma_migrations.started_at; needs --database-url)",
       .metavar = "NAME"},
  };
}

}  // namespace

const kit::ToolSpec& spec() {
  static const kit::ToolSpec s{
      "pitr-restore",
      "point-in-time recovery you can trust at 3 a.m.: Supabase, self-managed PostgreSQL, pgBackRest",
      {
          {.name = "provider", .help = "where the database lives: supabase, postgres (base backup + WAL archive) or pgbackrest",
           .kind = OptionKind::value, .metavar = "PROVIDER", .required = true},
          {.name = "database-url",
           .help = "the application's database (direct connection): reads _prisma_migrations, waits for and verifies the restored server",
           .metavar = "URL"},
          {.name = "project-ref", .help = "Supabase project ref (else SUPABASE_PROJECT_REF); the token is read from SUPABASE_ACCESS_TOKEN only",
           .metavar = "REF"},
          {.name = "api-url", .help = "Supabase Management API base URL", .default_value = "https://api.supabase.com", .metavar = "URL"},
          {.name = "cacert", .help = "CA bundle to verify the API's TLS with (else SSL_CERT_FILE / SSL_CERT_DIR)", .metavar = "FILE"},
          {.name = "pgdata", .help = "self-managed: the data directory to restore into (postgres, pgbackrest)", .metavar = "DIR"},
          {.name = "base-backup", .help = "postgres: the base backup (pg_basebackup -Fp) to restore from", .metavar = "DIR"},
          {.name = "wal-archive", .help = "postgres: the WAL archive directory archive_command writes to", .metavar = "DIR"},
          {.name = "stanza", .help = "pgbackrest: the stanza", .metavar = "NAME"},
          {.name = "pgbackrest-config", .help = "pgbackrest: its configuration file (passed as --config)", .metavar = "FILE"},
          {.name = "pg-bin", .help = "directory of pg_ctl and pg_verifybackup (default /usr/lib/postgresql/<version>/bin, else PATH)",
           .metavar = "DIR"},
          {.name = "verify-sql", .help = "after the restore, this query must return a row (else exit 1)", .metavar = "SQL"},
          {.name = "timeout", .help = "deadline for the restore to finish (recovery, or the project turning ACTIVE_HEALTHY)",
           .default_value = "1h", .metavar = "DURATION", .type = kit::ValueType::duration},
          {.name = "poll-interval", .help = "supabase: time between status polls (1s-10s; the API allows 60 requests a minute)",
           .default_value = "10s", .metavar = "DURATION", .type = kit::ValueType::duration},
          {.name = "connect-timeout", .help = "deadline for one database connection", .default_value = "10s", .metavar = "DURATION", .type = kit::ValueType::duration},
      },
      {
          {"window", "is PITR available; earliest and latest recoverable time; restore points known; exit 1 when not available",
           {}, run_window},
          {"plan", "resolve the target, check it against the window, list what will be lost and every step; changes nothing",
           target_options(), run_plan},
          {"restore", "restore to the target (needs --confirm naming the project ref or the data directory), wait, verify",
           [] {
             auto o = target_options();
             o.push_back({.name = "confirm", .help = "the project ref (supabase) or the data directory (self-managed): the restore's go-ahead",
                          .metavar = "ID"});
             o.push_back({.name = "stop", .help = "self-managed: stop the running server first (pg_ctl stop -m fast)", .kind = OptionKind::flag});
             o.push_back({.name = "stop-timeout", .help = "self-managed: how long the server may take to stop before the restore gives up (nothing changed)",
                          .default_value = "2m", .metavar = "DURATION", .type = kit::ValueType::duration});
             o.push_back({.name = "dry-run", .help = "print the plan and change nothing", .kind = OptionKind::flag});
             return o;
           }(),
           run_restore},
          {"rehearse", "restore the same target into a scratch data directory on a spare port, run --verify-sql there; production untouched",
           [] {
             auto o = target_options();
             o.push_back({.name = "scratch-dir", .help = "where the scratch data directory is made (default: beside --pgdata or --base-backup)",
                          .metavar = "DIR"});
             o.push_back({.name = "port", .help = "TCP port on 127.0.0.1 for the scratch server (default: its private socket only)", .metavar = "PORT",
                          .type = kit::ValueType::integer});
             o.push_back({.name = "verify-database", .help = "database --verify-sql runs in (default: the --database-url's, else postgres)",
                          .metavar = "NAME"});
             o.push_back({.name = "keep", .help = "leave the scratch server running for inspection", .kind = OptionKind::flag});
             return o;
           }(),
           run_rehearse},
      },
      R"(  SUPABASE_ACCESS_TOKEN=... pitr-restore window --provider supabase --project-ref abcdefghijklmnopqrst
  pitr-restore plan --provider supabase --project-ref abcdefghijklmnopqrst --before-migration 20261128_drop_orders \
      --database-url "$DIRECT_URL"
  pitr-restore restore --provider supabase --project-ref abcdefghijklmnopqrst --to '15m ago' --confirm abcdefghijklmnopqrst
  pitr-restore rehearse --provider postgres --base-backup /backup/base --wal-archive /backup/wal --pgdata /var/lib/postgresql/15/main \
      --to 2026-11-28T23:10:00Z --verify-sql 'SELECT 1 FROM orders LIMIT 1' --verify-database app
  pitr-restore restore --provider postgres --base-backup /backup/base --wal-archive /backup/wal --pgdata /var/lib/postgresql/15/main \
      --to 2026-11-28T23:10:00Z --stop --confirm /var/lib/postgresql/15/main
  pitr-restore restore --provider pgbackrest --stanza main --pgdata /var/lib/postgresql/15/main --lsn 0/5000028 --stop \
      --confirm /var/lib/postgresql/15/main
)",
      lift_error};
  return s;
}

}  // namespace pitr_restore
