#include "pitr-restore/database.hpp"

#include <fstream>

#include "kit/error.hpp"
#include "pg/connection.hpp"
#include "pg/quote.hpp"
#include "pg/target.hpp"

namespace pitr_restore {
namespace {

pg::DbTarget target_of(const Endpoint& e) {
  pg::DbTarget t;
  t.conninfo = e.conninfo;
  t.display = e.display;
  t.dbname = e.dbname;
  return t;
}

}  // namespace

Endpoint endpoint_from_url(const Request& r, const kit::Env& env) {
  pg::DbTarget t = pg::resolve_target(*r.database_url, r.database_url_given_as, env);
  return {t.conninfo, t.display, t.dbname};
}

std::string schema_of(const Request& r, const kit::Env& env) {
  return pg::resolve_target(*r.database_url, r.database_url_given_as, env).schema;
}

std::optional<Endpoint> socket_endpoint(const std::string& pgdata, const std::string& user, const std::string& dbname) {
  // postmaster.pid: pid, data directory, start time, port, socket directory, listen address...
  std::ifstream in(pgdata + "/postmaster.pid");
  std::string lines[5];
  for (auto& l : lines)
    if (!std::getline(in, l)) return std::nullopt;
  const std::string& port = lines[3];
  std::string sock = lines[4];
  if (port.empty() || sock.empty()) return std::nullopt;
  auto q = [](const std::string& v) {
    std::string out = "'";
    for (char c : v) {
      if (c == '\'' || c == '\\') out += '\\';
      out += c;
    }
    return out + "'";
  };
  return Endpoint{"host=" + q(sock) + " port=" + q(port) + " user=" + q(user) + " dbname=" + q(dbname),
                  "the server's socket in " + sock, dbname};
}

ServerProbe probe_server(const Endpoint& endpoint, kit::Millis timeout) {
  ServerProbe p;
  try {
    auto conn = pg::Connection::open(target_of(endpoint), timeout);
    auto rows = conn->query(
        "SELECT pg_is_in_recovery(), coalesce(pg_last_wal_replay_lsn()::text, ''), "
        "coalesce(to_char(pg_last_xact_replay_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), '')");
    p.connected = true;
    p.in_recovery = rows.at(0).at(0).value_or("t") == "t";
    p.replay_lsn = rows[0][1].value_or("");
    p.replay_time = rows[0][2].value_or("");
  } catch (const kit::Error& e) {
    p.error = e.what();
  } catch (const pg::PgError& e) {
    p.error = e.what();
  }
  return p;
}

std::optional<std::vector<std::string>> first_row(const Endpoint& endpoint, const std::string& sql, kit::Millis timeout) {
  try {
    auto conn = pg::Connection::open(target_of(endpoint), timeout);
    auto rows = conn->query(sql);
    if (rows.empty()) return std::nullopt;
    std::vector<std::string> out;
    for (const auto& v : rows.front()) out.push_back(v.value_or(""));
    return out;
  } catch (const pg::PgError& e) {
    throw kit::partial_error("the database is restored, but --verify-sql failed: " + std::string(e.what()),
                             "run the query by hand to see why; the restore itself completed");
  }
}

std::optional<std::vector<AppliedMigration>> read_ledger(const Endpoint& endpoint, const std::string& schema, kit::Millis timeout,
                                                         std::string& problem) {
  try {
    auto conn = pg::Connection::open(target_of(endpoint), timeout);
    std::string table = pg::quote_ident(schema) + "._prisma_migrations";
    if (conn->scalar("SELECT coalesce(to_regclass($1)::text, '')", {schema + "._prisma_migrations"}).empty() &&
        conn->scalar("SELECT coalesce(to_regclass($1)::text, '')", {table}).empty()) {
      problem = "there is no " + schema + "._prisma_migrations table in " + endpoint.display;
      return std::nullopt;
    }
    auto rows = conn->query("SELECT migration_name, (extract(epoch FROM started_at) * 1000000)::bigint::text, "
                            "finished_at IS NOT NULL, rolled_back_at IS NOT NULL FROM " + table +
                            " ORDER BY started_at, migration_name");
    std::vector<AppliedMigration> out;
    for (const auto& r : rows) {
      AppliedMigration m;
      m.name = r[0].value_or("");
      m.started_at = std::stoll(r[1].value_or("0"));
      m.finished = r[2].value_or("f") == "t";
      m.rolled_back = r[3].value_or("f") == "t";
      out.push_back(std::move(m));
    }
    return out;
  } catch (const kit::Error& e) {
    problem = e.what();
  } catch (const pg::PgError& e) {
    problem = e.what();
  }
  return std::nullopt;
}

}  // namespace pitr_restore
