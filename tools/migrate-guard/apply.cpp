#include "migrate-guard/apply.hpp"

#include <pg_query.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <regex>
#include <vector>

#include "kit/log.hpp"
#include "migrate-guard/failure_logs.hpp"
#include "migrate-guard/ledger.hpp"
#include "pg/connection.hpp"

namespace migrate_guard {
namespace {

// Each statement of a script as PostgreSQL's scanner splits it: [start, end) with the blank lines
// and comments before its first keyword skipped (start == end: an empty statement, ";;").
struct ScriptStatement {
  size_t start = 0, end = 0;
};

std::vector<ScriptStatement> split_script(const std::string& sql) {
  std::vector<ScriptStatement> out;
  PgQuerySplitResult split = pg_query_split_with_scanner(sql.c_str());
  if (!split.error)
    for (int i = 0; i < split.n_stmts; ++i) {
      size_t at = static_cast<size_t>(split.stmts[i]->stmt_location), end = at + static_cast<size_t>(split.stmts[i]->stmt_len);
      if (split.stmts[i]->stmt_len == 0) end = sql.size();
      while (at < end) {
        if (std::isspace(static_cast<unsigned char>(sql[at]))) ++at;
        else if (sql.compare(at, 2, "--") == 0) at = std::min(end, sql.find('\n', at) == std::string::npos ? sql.size() : sql.find('\n', at));
        else if (sql.compare(at, 2, "/*") == 0) at = std::min(end, sql.find("*/", at) == std::string::npos ? sql.size() : sql.find("*/", at) + 2);
        else break;
      }
      out.push_back({std::min(at, end), end});
    }
  pg_query_free_split_result(split);
  return out;
}

// The byte where statement `index` (0-based, as the server counts its results) starts; npos when
// unknown. Used when the server reports no position (e.g. ALTER TABLE on a missing table): the
// failing statement is the one after the last result that succeeded.
size_t statement_start_byte(const std::vector<ScriptStatement>& statements, int index) {
  for (const auto& st : statements)  // the server runs no empty statement, so it counts none
    if (st.start < st.end && index-- == 0) return st.start;
  return std::string::npos;
}

// The 1-based character position of byte `i`, as the server's positions count.
int char_position(const std::string& sql, size_t i) {
  int chars = 0;
  for (size_t k = 0; k <= i && k < sql.size(); ++k)
    if ((static_cast<unsigned char>(sql[k]) & 0xC0) != 0x80) ++chars;
  return chars;
}

// A DO block's error gives its line inside the block ("PL/pgSQL function inline_code_block line 3
// at PERFORM"), counted from the line where the block's body (its first quote) opens.
int do_block_line(const std::string& sql, size_t statement_start, const std::string& context) {
  static const std::regex line_re(R"(inline_code_block line ([0-9]{1,7}))");
  std::smatch m;
  if (statement_start == std::string::npos || !std::regex_search(context, m, line_re)) return 0;
  size_t body = sql.find_first_of("$'", statement_start);
  if (body == std::string::npos) return 0;
  int opening_line = 1 + static_cast<int>(std::count(sql.begin(), sql.begin() + static_cast<long>(body), '\n'));
  return opening_line + std::stoi(m[1].str()) - 1;
}

// The first word of each statement (upper case) and its line, blanks and comments before it skipped.
struct StatementHead {
  std::string word;
  int line = 0;
  bool concurrently = false;  // the statement's text has the word CONCURRENTLY
};

std::vector<StatementHead> statement_heads(const std::string& sql, const std::vector<ScriptStatement>& statements) {
  std::vector<StatementHead> heads;
  for (const auto& st : statements) {
    if (st.start >= st.end) continue;  // an empty statement (";;")
    StatementHead h;
    h.line = 1 + static_cast<int>(std::count(sql.begin(), sql.begin() + static_cast<long>(st.start), '\n'));
    std::string upper;
    for (size_t k = st.start; k < st.end; ++k) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(sql[k])));
    size_t w = 0;
    while (w < upper.size() && std::isalpha(static_cast<unsigned char>(upper[w]))) ++w;
    h.word = upper.substr(0, w);
    h.concurrently = upper.find("CONCURRENTLY") != std::string::npos;
    heads.push_back(std::move(h));
  }
  return heads;
}

KeptOnFailure kept_in(const std::string& sql, const std::vector<ScriptStatement>& statements, int succeeded) {
  KeptOnFailure k;
  auto heads = statement_heads(sql, statements);
  if (succeeded < 0) succeeded = static_cast<int>(heads.size());
  for (int i = 0; i < succeeded && i < static_cast<int>(heads.size()); ++i) {
    const std::string& word = heads[static_cast<size_t>(i)].word;
    if (word == "COMMIT" || word == "END") k.commit_line = heads[static_cast<size_t>(i)].line, k.open_begin_line = 0;
    if (word == "BEGIN" || word == "START") k.open_begin_line = heads[static_cast<size_t>(i)].line;
  }
  // PostgreSQL runs a script of one statement outside a transaction block, where these can commit
  // part of their work before failing (in a longer script they are refused before anything runs).
  if (heads.size() == 1) {
    const auto& h = heads.front();
    if (h.concurrently && (h.word == "CREATE" || h.word == "REINDEX")) k.lone = "the index build ran outside a transaction (CONCURRENTLY): "
                                                                                "a failed build leaves an INVALID index behind";
    else if (h.word == "DO" || h.word == "CALL") k.lone = std::string(h.word == "DO" ? "a DO block" : "a procedure") +
                                                          " may COMMIT as it goes: what it committed before the error stays";
  }
  return k;
}

}  // namespace

KeptOnFailure kept_on_failure(const std::string& sql, int succeeded) { return kept_in(sql, split_script(sql), succeeded); }

std::string committed_note(const Migration& m, const ApplyResult& r) {
  if (r.kept.commit_line == 0) return "";
  return "; its COMMIT at line " + std::to_string(r.kept.commit_line) +
         " had already committed the statements before it (they stay in the database)";
}

std::string after_failure_hint(const std::string& name, const KeptOnFailure& kept, bool left_open) {
  std::string redo = "run `migrate-guard resolve --rolled-back " + name + "` and deploy again";
  if (kept.commit_line > 0)
    return "part of " + name + " is in the database: the statements up to its COMMIT at line " + std::to_string(kept.commit_line) +
           " were committed, the rest was rolled back. Bring the database to one side by hand: finish the rest and run "
           "`migrate-guard resolve --applied " + name + "`, or undo the committed part, fix migration.sql (no COMMIT inside), " + redo;
  if (!kept.lone.empty())
    return kept.lone + ". Check what of " + name + " is in the database and clean it up (an INVALID index: DROP INDEX "
           "CONCURRENTLY), fix the cause, then " + redo + " (or finish it by hand and run `resolve --applied " + name + "`)";
  if (left_open)
    return "nothing of " + name + " was kept: it opens a transaction (BEGIN) it never commits. Remove that BEGIN (each migration "
           "already runs in one transaction) or add its COMMIT, then " + redo;
  return "nothing of " + name + " was kept (one transaction). Fix migration.sql, then " + redo;
}

std::string failure_hint(const Migration& m, const ApplyResult& r) {
  if (r.connection_lost)
    return "the connection was lost while " + m.name + " ran, so its row could not be updated: check whether its changes are in "
           "the database, then `migrate-guard resolve --rolled-back " + m.name + "` (not there) or `--applied " + m.name + "` (there)";
  return after_failure_hint(m.name, r.kept, r.left_open);
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
    const auto statements = split_script(m.sql);
    size_t start = statement_start_byte(statements, e.statement_index);
    int position = e.position > 0 ? e.position : start == std::string::npos ? 0 : char_position(m.sql, start);
    if (position > 0) r.where = position_in(m.sql, position);
    if (int line = e.position > 0 ? 0 : do_block_line(m.sql, start, e.context); line > 0) r.where = {line, 1};
    r.error = (e.sqlstate.empty() ? "" : e.sqlstate + ": ") + e.what();
    r.left_open = e.left_open;
    r.kept = kept_in(m.sql, statements, e.statement_index);
    if (e.left_open && r.kept.open_begin_line > 0) r.where = {r.kept.open_begin_line, 1};
    r.logs = failure_logs(m, e, r.where, r.kept);
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
