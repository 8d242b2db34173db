#pragma once
// One libpq connection (libpq-fe.h stays in connection.cpp). Queries with parameters use the
// extended protocol; migration scripts go through script(), one simple query as Prisma sends them.
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "kit/duration.hpp"
#include "pg/target.hpp"

struct pg_conn;

namespace pg {

// An error reported by the server (or a lost connection: sqlstate empty, connection_lost true).
struct PgError : std::runtime_error {
  explicit PgError(const std::string& m) : std::runtime_error(m) {}
  std::string sqlstate;
  std::string severity = "ERROR";
  std::string detail, hint, context;
  int position = 0;  // 1-based character position in the query, 0 if unknown
  int statement_index = -1;  // in a multi-statement script: how many statements succeeded before this one
  bool connection_lost = false;
  bool left_open = false;  // script(): every statement ran but a transaction was left open (rolled back)
};

using Value = std::optional<std::string>;
using Row = std::vector<Value>;

class Connection {
 public:
  // Connects or throws kit::Error(environment) saying why and what to check.
  static std::unique_ptr<Connection> open(const DbTarget& target, kit::Millis connect_timeout);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  std::vector<Row> query(const std::string& sql, const std::vector<Value>& params = {});
  std::string scalar(const std::string& sql, const std::vector<Value>& params = {});  // first column of the first row
  void script(const std::string& sql);  // one simple-query message: PostgreSQL runs it as one implicit transaction
  int backend_pid() const;
  std::string server_version() const;

 private:
  explicit Connection(pg_conn* c) : conn_(c) {}
  pg_conn* conn_;
};

}  // namespace pg
