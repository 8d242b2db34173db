#pragma once
// A pitr-restore request: the options turned into typed values (commands/request.cpp). The
// library below never sees the options or the report, only this.
#include <optional>
#include <string>

#include "kit/duration.hpp"
#include "kit/http.hpp"
#include "pitr-restore/target.hpp"
#include "pitr-restore/window.hpp"

namespace pitr_restore {

struct SupabaseRequest {
  std::string project_ref;
  std::string api_url = "https://api.supabase.com";
  std::string token;  // SUPABASE_ACCESS_TOKEN (environment only)
  kit::TlsOptions tls;
};

struct SelfManagedRequest {
  std::string pgdata;
  std::string base_backup;   // postgres
  std::string wal_archive;   // postgres
  std::string stanza;        // pgbackrest
  std::string pgbackrest_config;  // pgbackrest: a private --config
  std::string pg_bin;        // where pg_ctl lives; "" = /usr/lib/postgresql/<PG_VERSION>/bin, else PATH
  bool stop_server = false;  // --stop: a running server may be stopped
  kit::Millis stop_timeout{120'000};
};

struct RehearsalRequest {
  std::string scratch_dir;  // "" = beside the data directory
  int port = 0;             // 0 = a free port
  bool keep = false;        // keep the scratch cluster running for inspection
};

// What the request is for: a rehearsal's steps go into a scratch directory and stop nothing; the
// window lists the restore points the WAL holds.
enum class Mode { window, plan, restore, rehearse };

struct Request {
  Mode mode = Mode::plan;
  Provider provider = Provider::postgres;
  TargetRequest target;
  SupabaseRequest supabase;
  SelfManagedRequest self;
  RehearsalRequest rehearsal;
  std::optional<std::string> database_url;  // the application's database (ledger, wait, verify)
  std::string database_url_given_as = "--database-url";  // or INPUT_DATABASE-URL, for messages
  std::optional<std::string> verify_sql;
  std::string verify_database;  // rehearsal: the database --verify-sql runs in ("" = the URL's, else postgres)
  kit::Millis timeout{3'600'000};
  kit::Millis poll_interval{10'000};   // Supabase status polls (the API allows 60 requests a minute)
  kit::Millis connect_timeout{10'000};
  std::string confirm;  // must name the project ref or the data directory
};

}  // namespace pitr_restore
