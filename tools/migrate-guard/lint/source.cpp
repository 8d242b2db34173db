// Positions, comments and identifiers in the raw migration text. libpg_query's JSON tree carries
// no comments, and statement locations include the blanks and comments before a statement, so the
// text is lexed again with PostgreSQL's own scanner (pg_query_scan): dollar quotes, nested
// comments, E'' strings and standard_conforming_strings behave exactly as on the server.
#include <algorithm>
#include <cctype>

#include <pg_query.h>
#include <pg_query/pg_query.pb-c.h>

#include "internal.hpp"

namespace migrate_guard::lint::detail {
namespace {

constexpr std::size_t kMaxIdentifierBytes = 63;  // NAMEDATALEN - 1

struct Scan {
  PgQueryScanResult result;
  PgQuery__ScanResult* tokens = nullptr;
  explicit Scan(const char* sql) : result(pg_query_scan(sql)) {
    if (!result.error)
      tokens = pg_query__scan_result__unpack(nullptr, result.pbuf.len, reinterpret_cast<const uint8_t*>(result.pbuf.data));
  }
  ~Scan() {
    if (tokens) pg_query__scan_result__free_unpacked(tokens, nullptr);
    pg_query_free_scan_result(result);
  }
  Scan(const Scan&) = delete;
  Scan& operator=(const Scan&) = delete;
};

bool blank(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

// A quoted identifier's name: the quotes dropped, "" read as one ".
std::string unquote(const std::string& token) {
  if (token.size() < 2 || token.front() != '"') return token;
  std::string out;
  for (std::size_t i = 1; i + 1 < token.size(); ++i) {
    out += token[i];
    if (token[i] == '"' && token[i + 1] == '"') ++i;
  }
  return out;
}

}  // namespace

Source::Source(std::string text) : text_(std::move(text)) {
  line_starts_.push_back(0);
  for (std::size_t i = text_.find('\n'); i != std::string::npos; i = text_.find('\n', i + 1)) line_starts_.push_back(i + 1);
}

void Source::scan(std::vector<Range>& statements) {
  std::size_t at = 0;
  for (auto& st : statements) {
    std::size_t begin = std::max(at, std::min(st.begin, text_.size()));
    std::size_t end = std::max(begin, std::min(st.end, text_.size()));
    if (begin > at) scan_piece(at, begin, nullptr);  // the `;` and comments between statements
    scan_piece(begin, end, &st);
    at = end;
  }
  if (at < text_.size()) scan_piece(at, text_.size(), nullptr);
}

void Source::scan_piece(std::size_t begin, std::size_t end, Range* statement) {
  if (statement) *statement = {begin, begin};
  if (begin >= end) return;
  // The scanner reads a NUL-terminated string: the piece is copied, except when it is the file.
  std::string piece;
  const char* sql = text_.c_str();
  if (begin != 0 || end != text_.size()) {
    piece.assign(text_, begin, end - begin);
    sql = piece.c_str();
  }
  Scan scan(sql);
  if (!scan.tokens) {
    // The lexer gives up (an unterminated quote or comment: the parser reports it): the piece is
    // one token from its first to its last non-blank byte.
    std::size_t b = begin, e = end;
    while (b < e && blank(text_[b])) ++b;
    while (e > b && (blank(text_[e - 1]) || text_[e - 1] == ';')) --e;
    if (statement) *statement = {b, e};
    return;
  }
  bool first = true;
  for (std::size_t i = 0; i < scan.tokens->n_tokens; ++i) {
    const PgQuery__ScanToken* t = scan.tokens->tokens[i];
    std::size_t tb = begin + static_cast<std::size_t>(t->start);
    std::size_t te = begin + static_cast<std::size_t>(t->end);
    if (t->token == PG_QUERY__TOKEN__SQL_COMMENT) {
      std::string body = text_.substr(tb + 2, te - tb - 2);
      if (!body.empty() && body.back() == '\r') body.pop_back();
      comments_.push_back({tb, te, std::move(body)});
      continue;
    }
    if (t->token == PG_QUERY__TOKEN__C_COMMENT) {
      bool closed = te - tb >= 4 && text_.compare(te - 2, 2, "*/") == 0;
      comments_.push_back({tb, te, text_.substr(tb + 2, te - tb - 2 - (closed ? 2 : 0))});
      continue;
    }
    if (t->token == PG_QUERY__TOKEN__IDENT && te - tb > kMaxIdentifierBytes) {
      std::string name = unquote(text_.substr(tb, te - tb));
      if (name.size() > kMaxIdentifierBytes) long_identifiers_.push_back({tb, name.size(), std::move(name)});
    }
    if (!statement || t->token == PG_QUERY__TOKEN__ASCII_59) continue;
    if (first) statement->begin = tb;
    first = false;
    statement->end = te;
  }
}

int Source::line_of(std::size_t offset) const {
  auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
  return static_cast<int>(it - line_starts_.begin());
}

int Source::col_of(std::size_t offset) const {
  std::size_t start = line_starts_[line_of(offset) - 1];
  int col = 1;
  for (std::size_t i = start; i < offset && i < text_.size(); ++i) {
    if ((static_cast<unsigned char>(text_[i]) & 0xC0) != 0x80) ++col;  // count code points
  }
  return col;
}

std::size_t Source::offset_of_char(std::size_t from, int cursor) const {
  std::size_t i = from;
  int chars = 1;
  while (i < text_.size() && chars < cursor) {
    ++i;
    while (i < text_.size() && (static_cast<unsigned char>(text_[i]) & 0xC0) == 0x80) ++i;
    ++chars;
  }
  return std::min(i, text_.size());
}

}  // namespace migrate_guard::lint::detail
