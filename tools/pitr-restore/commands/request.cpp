// Options -> Request: every check that needs no server, each failing with one line (exit 2).
#include <curl/curl.h>
#include <unistd.h>

#include "kit/error.hpp"
#include "kit/secrets.hpp"
#include "kit/text.hpp"
#include "pitr-restore/commands/command.hpp"
#include "supabase/management_api.hpp"

namespace pitr_restore {
namespace {

void check_http_url(const std::string& url, const char* option) {
  CURLU* u = curl_url();
  CURLUcode rc = curl_url_set(u, CURLUPART_URL, url.c_str(), 0);
  char* scheme = nullptr;
  bool ok = rc == CURLUE_OK && curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK;
  std::string s = scheme ? scheme : "";
  curl_free(scheme);
  curl_url_cleanup(u);
  if (!ok || (s != "http" && s != "https"))
    throw kit::usage_error(std::string(option) + ": '" + kit::redact_url(url).substr(0, 100) + "' is not an http(s) URL");
}

std::string need(const kit::Args& args, const std::string& name, const std::string& why) {
  auto v = args.opt(name);
  if (!v || v->empty()) throw kit::usage_error("missing --" + name + " (or " + kit::input_env_name(name) + "): " + why);
  return *v;
}

}  // namespace

Request request_from(const kit::Context& ctx, Needs needs) {
  const auto& a = ctx.args;
  Request r;
  std::string provider = a.str("provider");
  if (provider == "supabase") r.provider = Provider::supabase;
  else if (provider == "postgres") r.provider = Provider::postgres;
  else if (provider == "pgbackrest") r.provider = Provider::pgbackrest;
  else {
    auto guess = kit::closest_match(provider, {"supabase", "postgres", "pgbackrest"});
    throw kit::usage_error("--provider: '" + provider.substr(0, 40) + "' is not a provider" +
                           (guess ? "; did you mean " + *guess + "?" : "") + " (use supabase, postgres or pgbackrest)");
  }

  if (auto url = a.opt("database-url")) {
    kit::learn_url_secret(*url);
    r.database_url = *url;
    r.database_url_given_as = a.given_as("database-url");
  }
  r.timeout = a.duration("timeout");
  if (r.timeout.count() <= 0) throw kit::usage_error("--timeout must be longer than 0s");
  r.poll_interval = a.duration("poll-interval");
  if (r.poll_interval < kit::Millis(1'000) || r.poll_interval > kit::Millis(10'000))
    throw kit::usage_error("--poll-interval must be between 1s and 10s (a progress line every 10s at least; the API allows 60 requests a minute)");
  r.connect_timeout = a.duration("connect-timeout");
  if (r.connect_timeout.count() <= 0) throw kit::usage_error("--connect-timeout must be longer than 0s");
  if (auto sql = a.opt("verify-sql")) {
    if (sql->find_first_not_of(" \t\r\n") == std::string::npos) throw kit::usage_error("--verify-sql is empty");
    r.verify_sql = *sql;
  }

  switch (r.provider) {
    case Provider::supabase: {
      auto ref = a.opt("project-ref");
      if (!ref) ref = ctx.env.get("SUPABASE_PROJECT_REF");
      if (!ref) throw kit::usage_error("missing --project-ref (or INPUT_PROJECT-REF, SUPABASE_PROJECT_REF)");
      if (!supabase::valid_project_ref(*ref))
        throw kit::usage_error("--project-ref: '" + ref->substr(0, 40) + "' is not a Supabase project ref (20 lower-case letters)");
      r.supabase.project_ref = *ref;
      r.supabase.api_url = a.str("api-url");
      check_http_url(r.supabase.api_url, "--api-url");
      auto token = ctx.env.secret("SUPABASE_ACCESS_TOKEN");
      if (!token)
        throw kit::usage_error("SUPABASE_ACCESS_TOKEN is not set (a personal access token; it is read from the environment only, never from a flag)");
      r.supabase.token = *token;
      r.supabase.tls.cacert = a.str("cacert");
      if (!r.supabase.tls.cacert.empty() && access(r.supabase.tls.cacert.c_str(), R_OK) != 0)
        throw kit::usage_error("--cacert: cannot read '" + r.supabase.tls.cacert + "'");
      break;
    }
    case Provider::postgres:
      r.self.base_backup = need(a, "base-backup", "the pg_basebackup -Fp directory to restore from");
      r.self.wal_archive = need(a, "wal-archive", "the directory archive_command copies WAL into");
      break;
    case Provider::pgbackrest:
      r.self.stanza = need(a, "stanza", "the pgBackRest stanza");
      r.self.pgbackrest_config = a.str("pgbackrest-config");
      break;
  }
  r.self.pgdata = a.str("pgdata");
  while (r.self.pgdata.size() > 1 && r.self.pgdata.back() == '/') r.self.pgdata.pop_back();
  r.self.pg_bin = a.str("pg-bin");

  const std::string& cmd = a.command();
  r.mode = cmd == "restore" ? Mode::restore : cmd == "rehearse" ? Mode::rehearse : cmd == "window" ? Mode::window : Mode::plan;
  if (cmd == "restore") {
    if (r.provider != Provider::supabase && r.self.pgdata.empty())
      throw kit::usage_error("missing --pgdata (or INPUT_PGDATA): the data directory to restore into");
    // Refused now, not after the restore: on Supabase the query runs on the project's database, by URL.
    if (r.provider == Provider::supabase && r.verify_sql && !r.database_url)
      throw kit::usage_error("--verify-sql with --provider supabase needs --database-url (the project's database, where the query runs "
                             "once it is back)");
    r.confirm = a.str("confirm");
    while (r.confirm.size() > 1 && r.confirm.back() == '/') r.confirm.pop_back();
    r.self.stop_server = a.flag("stop");
    r.self.stop_timeout = a.duration("stop-timeout");
    if (r.self.stop_timeout.count() <= 0) throw kit::usage_error("--stop-timeout must be longer than 0s");
  }
  if (cmd == "rehearse") {
    if (r.provider == Provider::supabase)
      throw kit::usage_error("rehearse needs a self-managed provider (postgres or pgbackrest): Supabase restores only in place "
                             "(restoring to a new project is dashboard-only)");
    r.rehearsal.scratch_dir = a.str("scratch-dir");
    if (a.has("port")) r.rehearsal.port = static_cast<int>(a.integer("port", 1, 65535));
    r.rehearsal.keep = a.flag("keep");
    r.verify_database = a.str("verify-database");
  }
  if (needs == Needs::target) {
    r.target = parse_target(a.opt("to"), a.opt("restore-point"), a.opt("lsn"), a.opt("before-migration"), now_micros());
    if (r.provider == Provider::supabase && r.target.kind == TargetKind::lsn)
      throw kit::usage_error("--lsn: Supabase restores to a time or a named restore point, not to a WAL location");
  }
  return r;
}

}  // namespace pitr_restore
