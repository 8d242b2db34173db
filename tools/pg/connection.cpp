#include "pg/connection.hpp"

#include <libpq-fe.h>

#include "kit/error.hpp"
#include "kit/log.hpp"
#include "kit/secrets.hpp"
#include "pg/quote.hpp"

namespace pg {
namespace {

std::string chomp(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

PgError error_from(PGconn* conn, const PGresult* res) {
  auto field = [&](int code) {
    const char* v = res ? PQresultErrorField(res, code) : nullptr;
    return std::string(v ? v : "");
  };
  std::string primary = field(PG_DIAG_MESSAGE_PRIMARY);
  if (primary.empty()) primary = chomp(res ? PQresultErrorMessage(res) : PQerrorMessage(conn));
  if (primary.empty()) primary = chomp(PQerrorMessage(conn));
  PgError e(primary);
  e.sqlstate = field(PG_DIAG_SQLSTATE);
  if (!field(PG_DIAG_SEVERITY).empty()) e.severity = field(PG_DIAG_SEVERITY);
  e.detail = field(PG_DIAG_MESSAGE_DETAIL);
  e.hint = field(PG_DIAG_MESSAGE_HINT);
  e.context = field(PG_DIAG_CONTEXT);
  std::string pos = field(PG_DIAG_STATEMENT_POSITION);
  if (!pos.empty()) e.position = std::stoi(pos);
  e.connection_lost = PQstatus(conn) != CONNECTION_OK;
  return e;
}

void log_notice(void*, const char* message) { kit::log::debug(std::string("server: ") + chomp(message)); }

}  // namespace

std::unique_ptr<Connection> Connection::open(const DbTarget& target, kit::Millis connect_timeout) {
  std::string timeout = std::to_string(std::max<long long>(1, (connect_timeout.count() + 999) / 1000));
  // Later keywords override earlier ones, so the URL (expanded from dbname) wins over our defaults.
  const char* keys[] = {"connect_timeout", "fallback_application_name", "dbname", nullptr};
  const char* values[] = {timeout.c_str(), "migrate-guard", target.conninfo.c_str(), nullptr};
  PGconn* conn = PQconnectdbParams(keys, values, 1);
  if (!conn) throw kit::environment_error("out of memory connecting to the database");
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string why = chomp(PQerrorMessage(conn));
    PQfinish(conn);
    std::string hint = "check that the database is reachable from here and the URL's host, port, user and password";
    if (why.find("password authentication failed") != std::string::npos || why.find("no password supplied") != std::string::npos)
      hint = "the user or password is wrong: fix the credentials in the URL / DATABASE_URL secret";
    else if (why.find("does not exist") != std::string::npos)
      hint = "create the database first, or fix the database name in the URL";
    throw kit::Error(kit::Exit::environment, "cannot connect to " + target.display + ": " + kit::secrets().redact(why), hint);
  }
  PQsetNoticeProcessor(conn, log_notice, nullptr);
  auto c = std::unique_ptr<Connection>(new Connection(conn));
  // Prisma runs a URL with ?schema=X with search_path set to X alone, so unqualified names in
  // migrations land there; doing the same keeps both tools' results identical.
  if (target.schema_given) c->query("SET search_path TO " + quote_ident(target.schema));
  return c;
}

Connection::~Connection() { PQfinish(conn_); }

std::vector<Row> Connection::query(const std::string& sql, const std::vector<Value>& params) {
  std::vector<const char*> p;
  for (const auto& v : params) p.push_back(v ? v->c_str() : nullptr);
  PGresult* res = PQexecParams(conn_, sql.c_str(), static_cast<int>(p.size()), nullptr, p.data(), nullptr, nullptr, 0);
  ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
  if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
    PgError e = error_from(conn_, res);
    PQclear(res);
    throw e;
  }
  std::vector<Row> rows;
  int n = PQntuples(res), m = PQnfields(res);
  for (int r = 0; r < n; ++r) {
    Row row;
    for (int c = 0; c < m; ++c)
      row.push_back(PQgetisnull(res, r, c) ? Value{} : Value{std::string(PQgetvalue(res, r, c), PQgetlength(res, r, c))});
    rows.push_back(std::move(row));
  }
  PQclear(res);
  return rows;
}

std::string Connection::scalar(const std::string& sql, const std::vector<Value>& params) {
  auto rows = query(sql, params);
  if (rows.empty() || rows[0].empty() || !rows[0][0]) return "";
  return *rows[0][0];
}

void Connection::script(const std::string& sql) {
  if (!PQsendQuery(conn_, sql.c_str())) {
    PgError e = error_from(conn_, nullptr);
    e.connection_lost = PQstatus(conn_) != CONNECTION_OK;
    throw e;
  }
  // A multi-statement simple query returns one result per statement; the first error ends it.
  std::optional<PgError> failure;
  int succeeded = 0;
  while (PGresult* res = PQgetResult(conn_)) {
    ExecStatusType st = PQresultStatus(res);
    if ((st == PGRES_FATAL_ERROR || st == PGRES_BAD_RESPONSE) && !failure) {
      failure = error_from(conn_, res);
      failure->statement_index = succeeded;
    } else if (!failure) {
      ++succeeded;
    }
    PQclear(res);
  }
  if (!failure && PQstatus(conn_) != CONNECTION_OK) {
    failure = PgError(chomp(PQerrorMessage(conn_)));
    failure->connection_lost = true;
  }
  // A session ended by the server (pg_terminate_backend, a failover) sends its FATAL error as a
  // result, and only the next read finds the connection closed: that is a lost connection too,
  // not a fault of the script.
  if (failure && PQstatus(conn_) != CONNECTION_OK) failure->connection_lost = true;
  // A script that opens a transaction (BEGIN) and never closes it succeeds statement by statement
  // while nothing after that BEGIN is committed: the session would run the next statements (the
  // ledger's "finished") inside it, and the disconnect would roll all of it back.
  if (!failure && PQtransactionStatus(conn_) != PQTRANS_IDLE) {
    PGresult* res = PQexec(conn_, "ROLLBACK");
    PQclear(res);
    failure = PgError("the script left a transaction open (a BEGIN without its COMMIT); it was rolled back");
    failure->statement_index = succeeded;
    failure->left_open = true;
    failure->connection_lost = PQstatus(conn_) != CONNECTION_OK;
  }
  if (failure) throw *failure;
}

int Connection::backend_pid() const { return PQbackendPID(conn_); }

std::string Connection::server_version() const {
  const char* v = PQparameterStatus(conn_, "server_version");
  return v ? v : "";
}

}  // namespace pg
