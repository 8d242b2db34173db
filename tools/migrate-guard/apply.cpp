#include "migrate-guard/apply.hpp"

#include <pg_query.h>

#include <algorithm>
#include <cctype>
#include <chrono>

#include "kit/log.hpp"
#include "migrate-guard/ledger.hpp"
#include "pg/connection.hpp"

namespace migrate_guard {
namespace {

// Where statement `index` (0-based) starts, skipping the blank lines and comments before it.
// Used when the server reports no position (e.g. ALTER TABLE on a missing table): the failing
// statement is the one after the last result that succeeded.
int statement_start_char(const std::string& sql, int index) {
  PgQuerySplitResult split = pg_query_split_with_scanner(sql.c_str());
  int byte = -1;
  if (!split.error && index >= 0 && index < split.n_stmts) byte = split.stmts[index]->stmt_location;
  pg_query_free_split_result(split);
  if (byte < 0) return 0;
  size_t i = static_cast<size_t>(byte);
  while (i < sql.size()) {
    if (std::isspace(static_cast<unsigned char>(sql[i]))) ++i;
    else if (sql.compare(i, 2, "--") == 0) i = sql.find('\n', i) == std::string::npos ? sql.size() : sql.find('\n', i);
    else if (sql.compare(i, 2, "/*") == 0) i = sql.find("*/", i) == std::string::npos ? sql.size() : sql.find("*/", i) + 2;
    else break;
  }
  int chars = 0;
  for (size_t k = 0; k <= i && k < sql.size(); ++k)
    if ((static_cast<unsigned char>(sql[k]) & 0xC0) != 0x80) ++chars;
  return chars;
}

// The line of the last COMMIT/END among the first `succeeded` statements, 0 when none: a script
// sent as one simple query runs in one implicit transaction only until an explicit COMMIT.
int last_commit_line(const std::string& sql, int succeeded) {
  if (succeeded <= 0) return 0;
  PgQuerySplitResult split = pg_query_split_with_scanner(sql.c_str());
  int line = 0;
  if (!split.error)
    for (int i = 0; i < split.n_stmts && i < succeeded; ++i) {
      size_t at = static_cast<size_t>(split.stmts[i]->stmt_location), end = at + static_cast<size_t>(split.stmts[i]->stmt_len);
      if (split.stmts[i]->stmt_len == 0) end = sql.size();
      while (at < end) {  // skip blanks and comments before the keyword
        if (std::isspace(static_cast<unsigned char>(sql[at]))) ++at;
        else if (sql.compare(at, 2, "--") == 0) at = std::min(end, sql.find('\n', at) == std::string::npos ? sql.size() : sql.find('\n', at));
        else if (sql.compare(at, 2, "/*") == 0) at = std::min(end, sql.find("*/", at) == std::string::npos ? sql.size() : sql.find("*/", at) + 2);
        else break;
      }
      std::string word;
      while (at < end && std::isalpha(static_cast<unsigned char>(sql[at]))) word += static_cast<char>(std::toupper(static_cast<unsigned char>(sql[at++])));
      if (word == "COMMIT" || word == "END") line = 1 + static_cast<int>(std::count(sql.begin(), sql.begin() + static_cast<long>(at), '\n'));
    }
  pg_query_free_split_result(split);
  return line;
}

}  // namespace

std::string committed_note(const Migration& m, const ApplyResult& r) {
  if (r.committed_through_line == 0) return "";
  return "; its COMMIT at line " + std::to_string(r.committed_through_line) +
         " had already committed the statements before it (they stay in the database)";
}

std::string failure_hint(const Migration& m, const ApplyResult& r) {
  if (r.connection_lost)
    return "the connection was lost while " + m.name + " ran, so its row could not be updated: check whether its changes are in "
           "the database, then `migrate-guard resolve --rolled-back " + m.name + "` (not there) or `--applied " + m.name + "` (there)";
  if (r.committed_through_line > 0)
    return "part of " + m.name + " is in the database: the statements up to its COMMIT at line " + std::to_string(r.committed_through_line) +
           " were committed, the rest was rolled back. Bring the database to one side by hand: finish the rest and run "
           "`migrate-guard resolve --applied " + m.name + "`, or undo the committed part, fix migration.sql (no COMMIT inside), run "
           "`migrate-guard resolve --rolled-back " + m.name + "` and deploy again";
  return "nothing of " + m.name + " was kept (one transaction). Fix migration.sql, then run `migrate-guard resolve --rolled-back " +
         m.name + "` and deploy again";
}

std::string failure_logs(const Migration& m, const std::string& sqlstate, const std::string& message,
                         const std::string& detail, const std::string& hint, TextPosition where) {
  std::string out = "Database error code: " + (sqlstate.empty() ? std::string("none") : sqlstate) + "\n\nDatabase error:\nERROR: " + message + "\n";
  if (!detail.empty()) out += "DETAIL: " + detail + "\n";
  if (!hint.empty()) out += "HINT: " + hint + "\n";
  if (where.line > 0) out += "\nPosition: " + m.path + ":" + std::to_string(where.line) + ":" + std::to_string(where.col) + "\n";
  out += "\n(recorded by migrate-guard)\n";
  return out;
}

ApplyResult apply_migration(pg::Connection& conn, Ledger& ledger, const Migration& m) {
  ApplyResult r;
  std::string id = ledger.start(m.name, m.checksum);
  auto t0 = std::chrono::steady_clock::now();
  try {
    conn.script(m.sql);
    r.elapsed = std::chrono::duration_cast<kit::Millis>(std::chrono::steady_clock::now() - t0);
    ledger.finish(id);
    r.ok = true;
    return r;
  } catch (const pg::PgError& e) {
    r.elapsed = std::chrono::duration_cast<kit::Millis>(std::chrono::steady_clock::now() - t0);
    r.connection_lost = e.connection_lost;
    int position = e.position > 0 ? e.position : statement_start_char(m.sql, e.statement_index);
    if (position > 0) r.where = position_in(m.sql, position);
    r.error = (e.sqlstate.empty() ? "" : e.sqlstate + ": ") + e.what();
    r.committed_through_line = last_commit_line(m.sql, e.statement_index);
    r.logs = failure_logs(m, e.sqlstate, e.what(), e.detail, e.hint, r.where);
    if (r.committed_through_line > 0)
      r.logs += "Statements before the COMMIT at line " + std::to_string(r.committed_through_line) + " were committed.\n";
    if (!e.connection_lost) {
      try {
        ledger.fail(id, r.logs);
      } catch (const pg::PgError& again) {
        kit::log::warn(std::string("could not record the failure in _prisma_migrations: ") + again.what());
      }
    }
  }
  return r;
}

}  // namespace migrate_guard
