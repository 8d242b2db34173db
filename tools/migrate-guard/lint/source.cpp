// Positions, comments and identifiers in the raw migration text. libpg_query's JSON tree carries
// no comments, and statement locations include the blanks and comments before a statement, so the
// text is lexed again with PostgreSQL's own scanner (pg_query_scan): dollar quotes, nested
// comments, E'' strings and standard_conforming_strings behave exactly as on the server.
#include <algorithm>
#include <cctype>
#include <cstdint>
#include <vector>

#include <pg_query.h>
#include <pg_query/pg_query.pb-c.h>

#include "internal.hpp"

namespace migrate_guard::lint::detail {
namespace {

constexpr std::size_t kMaxIdentifierBytes = 63;  // NAMEDATALEN - 1

// One token of pg_query_scan's result: the three fields the source model needs.
struct Token {
  std::int64_t start = 0, end = 0, token = 0;
};

// A varint at data[at], advancing `at`; false when the buffer ends first or it runs too long.
bool varint(const uint8_t* data, std::size_t size, std::size_t& at, std::uint64_t& value) {
  value = 0;
  for (int shift = 0; shift < 64 && at < size; shift += 7) {
    uint8_t b = data[at++];
    value |= static_cast<std::uint64_t>(b & 0x7F) << shift;
    if (!(b & 0x80)) return true;
  }
  return false;
}

// Skips a field of wire type `wire`; false on a malformed buffer.
bool skip(const uint8_t* data, std::size_t size, std::size_t& at, unsigned wire) {
  std::uint64_t v;
  switch (wire) {
    case 0: return varint(data, size, at, v);
    case 1: return (at += 8) <= size;
    case 2: return varint(data, size, at, v) && v <= size - at && ((at += v), true);
    case 5: return (at += 4) <= size;
    default: return false;
  }
}

// pg_query_scan's protobuf (PgQuery__ScanResult: field 2 = repeated ScanToken {1 start, 2 end,
// 4 token}) read straight from the wire format. protobuf-c's unpack allocated a message per
// token: on a 600-migration history that was a twelfth of `lint`'s CPU time. Returns false on
// a buffer that is not such a message (then the caller treats the text as unscannable).
bool read_tokens(const uint8_t* data, std::size_t size, std::vector<Token>& out) {
  std::size_t at = 0;
  while (at < size) {
    std::uint64_t key;
    if (!varint(data, size, at, key)) return false;
    unsigned field = static_cast<unsigned>(key >> 3), wire = static_cast<unsigned>(key & 7);
    if (field != 2 || wire != 2) {
      if (!skip(data, size, at, wire)) return false;
      continue;
    }
    std::uint64_t len;
    if (!varint(data, size, at, len) || len > size - at) return false;
    std::size_t end = at + len;
    Token t;
    while (at < end) {
      std::uint64_t k, v;
      if (!varint(data, end, at, k)) return false;
      unsigned f = static_cast<unsigned>(k >> 3), w = static_cast<unsigned>(k & 7);
      if (w == 0 && (f == 1 || f == 2 || f == 4)) {
        if (!varint(data, end, at, v)) return false;
        // int32 fields: a negative value is sign-extended to 64 bits on the wire.
        auto value = static_cast<std::int64_t>(static_cast<std::int32_t>(v));
        (f == 1 ? t.start : f == 2 ? t.end : t.token) = value;
      } else if (!skip(data, end, at, w)) {
        return false;
      }
    }
    out.push_back(t);
  }
  return true;
}

struct Scan {
  PgQueryScanResult result;
  bool ok = false;
  std::vector<Token> tokens;
  explicit Scan(const char* sql) : result(pg_query_scan(sql)) {
    if (!result.error) {
      tokens.reserve(result.pbuf.len / 8);
      ok = read_tokens(reinterpret_cast<const uint8_t*>(result.pbuf.data), result.pbuf.len, tokens);
    }
  }
  ~Scan() { pg_query_free_scan_result(result); }
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
  // Raw ranges, clipped to the file and in order; scan_piece narrows them to their tokens.
  std::size_t at = 0;
  for (auto& st : statements) {
    st.begin = std::max(at, std::min(st.begin, text_.size()));
    st.end = std::max(st.begin, std::min(st.end, text_.size()));
    at = st.end;
  }
  // A migration of ordinary size is lexed in one call; a large one statement by statement, so the
  // lexer's output (a few times the text) stays the size of one statement.
  constexpr std::size_t kWholeFile = std::size_t{1} << 20;
  if (text_.size() <= kWholeFile) {
    scan_piece(0, text_.size(), statements.data(), statements.size());
    return;
  }
  at = 0;
  for (auto& st : statements) {
    if (st.begin > at) scan_piece(at, st.begin, nullptr, 0);  // the `;` and comments between statements
    scan_piece(st.begin, st.end, &st, 1);
    at = st.end;
  }
  if (at < text_.size()) scan_piece(at, text_.size(), nullptr, 0);
}

void Source::scan_piece(std::size_t begin, std::size_t end, Range* statements, std::size_t count) {
  std::vector<Range> raw(statements, statements + count);
  for (std::size_t k = 0; k < count; ++k) statements[k].end = statements[k].begin;  // until a token is seen
  if (begin >= end) return;
  // The scanner reads a NUL-terminated string: the piece is copied, except when it is the file.
  std::string piece;
  const char* sql = text_.c_str();
  if (begin != 0 || end != text_.size()) {
    piece.assign(text_, begin, end - begin);
    sql = piece.c_str();
  }
  Scan scan(sql);
  if (!scan.ok) {
    // The lexer gives up (an unterminated quote or comment: the parser reports it): each
    // statement is one token from its first to its last non-blank byte.
    for (std::size_t k = 0; k < count; ++k) {
      std::size_t b = raw[k].begin, e = raw[k].end;
      while (b < e && blank(text_[b])) ++b;
      while (e > b && (blank(text_[e - 1]) || text_[e - 1] == ';')) --e;
      statements[k] = {b, e};
    }
    return;
  }
  std::size_t k = 0;          // the statement the next token may belong to
  bool seen = false;          // statement k has had a token
  for (const Token& tok : scan.tokens) {
    const Token* t = &tok;
    if (t->start < 0 || t->end < t->start || begin + static_cast<std::size_t>(t->end) > end) continue;  // not from this lexer
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
    if (t->token == PG_QUERY__TOKEN__ASCII_59) continue;
    while (k < count && tb >= raw[k].end) ++k, seen = false;
    if (k >= count || tb < raw[k].begin) continue;
    if (!seen) statements[k].begin = tb;
    seen = true;
    statements[k].end = te;
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
