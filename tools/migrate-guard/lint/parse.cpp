// Statements from libpg_query (the PostgreSQL 15 parser). A file up to 1 MiB is parsed at once;
// when that fails, or when the file is larger, it is split with the scanner and each piece parsed
// alone, so one syntax error is reported at its own line, the other statements are still checked,
// and memory stays bounded by the largest statement rather than the file (a 100 MB seed migration
// as one JSON tree took gigabytes). The parser gives each statement's range; Source::scan then
// narrows it to its tokens.
#include <cctype>
#include <cstring>
#include <memory>
#include <optional>
#include <string_view>

#include <pg_query.h>
#include <pg_query/pg_query.pb-c.h>

#include "internal.hpp"

namespace migrate_guard::lint::detail {
namespace {

struct ParseResult {
  PgQueryParseResult r;
  explicit ParseResult(const std::string& sql) : r(pg_query_parse(sql.c_str())) {}
  ~ParseResult() { pg_query_free_parse_result(r); }
  ParseResult(const ParseResult&) = delete;
  ParseResult& operator=(const ParseResult&) = delete;
};

struct SplitResult {
  PgQuerySplitResult r;
  explicit SplitResult(const char* sql) : r(pg_query_split_with_scanner(sql)) {}
  ~SplitResult() { pg_query_free_split_result(r); }
  SplitResult(const SplitResult&) = delete;
  SplitResult& operator=(const SplitResult&) = delete;
};

struct Split {
  std::vector<Range> statements;
  std::string error;               // when the scanner fails (an unterminated quote or comment)
  std::size_t error_offset = 0;    // byte offset in the file
};

// The file's statements as the scanner splits them, read in windows of a few MiB so that the
// scanner's buffers stay that size whatever the file's (a whole 100 MB file costs it ~4x).
// A window starts at a statement boundary, where the lexer starts fresh, so every statement it
// ends with a `;` is split exactly as in a scan of the whole file; the last one may be cut by the
// window and is read again from its start with the next window (twice as large when it was the
// window's only statement, or the scanner failed inside it).
Split split_statements(const Source& source) {
  const std::string& text = source.text();
  constexpr std::size_t kWindow = std::size_t{4} << 20;
  Split out;
  std::size_t at = 0, window = kWindow;
  std::string chunk;
  while (at < text.size()) {
    bool last = text.size() - at <= window;
    std::size_t size = last ? text.size() - at : window;
    for (;;) {
      chunk.assign(text, at, size);
      SplitResult split(chunk.c_str());
      if (split.r.error) {
        // A window usually ends inside a string literal (the scanner says where it starts):
        // end the window before it, else read a larger one.
        std::size_t cut = split.r.error->cursorpos > 0 ? source.offset_of_char(at, split.r.error->cursorpos) - at : 0;
        if (!last && cut > 0 && cut < size) { size = cut; continue; }
        if (!last) break;
        out.error = split.r.error->message ? split.r.error->message : "syntax error";
        out.error_offset = at + cut;
        return out;
      }
      int keep = last ? split.r.n_stmts : split.r.n_stmts - 1;
      if (keep <= 0) break;
      for (int i = 0; i < keep; ++i) {
        auto loc = at + static_cast<std::size_t>(split.r.stmts[i]->stmt_location);
        out.statements.push_back({loc, loc + static_cast<std::size_t>(split.r.stmts[i]->stmt_len)});
      }
      if (last) return out;
      at += static_cast<std::size_t>(split.r.stmts[keep]->stmt_location);
      window = kWindow;
      size = 0;
      break;
    }
    if (size == 0) continue;  // the window gave statements: on with the next one
    if (last) break;          // nothing left but blanks and comments
    window *= 2;              // a statement longer than the window: read it whole
  }
  return out;
}

// A statement this large is a data load; when it is one, PostgreSQL checks it and no rule looks
// inside it, so it is not parsed (its tree would take many times its size).
constexpr std::size_t kLargeStatement = std::size_t{16} << 20;

// The first keyword of text[begin, end) (comments skipped), upper-case; empty when unknown.
std::string first_keyword(const std::string& text, std::size_t begin, std::size_t end) {
  std::string head = text.substr(begin, std::min<std::size_t>(end - begin, 4096));
  PgQueryScanResult r = pg_query_scan(head.c_str());
  std::string keyword;
  if (!r.error) {
    PgQuery__ScanResult* tokens = pg_query__scan_result__unpack(nullptr, r.pbuf.len, reinterpret_cast<const uint8_t*>(r.pbuf.data));
    for (std::size_t i = 0; tokens && i < tokens->n_tokens; ++i) {
      const PgQuery__ScanToken* t = tokens->tokens[i];
      if (t->token == PG_QUERY__TOKEN__SQL_COMMENT || t->token == PG_QUERY__TOKEN__C_COMMENT) continue;
      for (int k = t->start; k < t->end; ++k) keyword += static_cast<char>(std::toupper(static_cast<unsigned char>(head[static_cast<std::size_t>(k)])));
      break;
    }
    if (tokens) pg_query__scan_result__free_unpacked(tokens, nullptr);
  }
  pg_query_free_scan_result(r);
  return keyword;
}

std::string large_data_statement(const std::string& text, const Range& range) {
  if (range.end - range.begin < kLargeStatement) return {};
  std::string keyword = first_keyword(text, range.begin, range.end);
  if (keyword == "INSERT") return "InsertStmt";
  if (keyword == "UPDATE") return "UpdateStmt";
  if (keyword == "DELETE") return "DeleteStmt";
  if (keyword == "MERGE") return "MergeStmt";
  if (keyword == "COPY") return "CopyStmt";
  return {};
}

constexpr std::size_t kWholeFileLimit = std::size_t{1} << 20;

// Statements no rule looks inside: their tree is neither read nor kept (a seed migration's INSERTs
// are most of its bytes).
bool opaque(std::string_view kind) {
  return kind == "InsertStmt" || kind == "UpdateStmt" || kind == "DeleteStmt" || kind == "MergeStmt" ||
         kind == "CopyStmt";
}

// The kind of the first statement of a parse tree, read from the JSON text without parsing it:
// `{"version":...,"stmts":[{"stmt":{"InsertStmt":{...`. Quotes inside JSON strings are escaped,
// so the pattern cannot come from a literal.
std::string_view first_kind(const char* tree) {
  const char* at = std::strstr(tree, "\"stmts\":[{\"stmt\":{\"");
  if (!at) return {};
  at += std::strlen("\"stmts\":[{\"stmt\":{\"");
  const char* end = std::strchr(at, '"');
  return end ? std::string_view(at, static_cast<std::size_t>(end - at)) : std::string_view{};
}

// Appends the statements of a successful parse of text[base, base + size).
void add_statements(const char* tree, std::size_t base, std::size_t size, std::vector<Statement>& out) {
  json doc = json::parse(tree);
  auto it = doc.find("stmts");
  if (it == doc.end() || !it->is_array()) return;
  for (auto& raw : *it) {
    std::size_t loc = base + static_cast<std::size_t>(integer(raw, "stmt_location"));
    long len = integer(raw, "stmt_len");
    std::size_t limit = len == 0 ? base + size : loc + static_cast<std::size_t>(len);
    Statement st;
    st.index = static_cast<int>(out.size());
    st.begin = loc;
    st.end = limit;
    st.node_base = base;
    if (raw.contains("stmt") && raw["stmt"].is_object() && !raw["stmt"].empty()) {
      st.kind = raw["stmt"].begin().key();
      if (!opaque(st.kind)) st.node = std::move(raw["stmt"].begin().value());
    }
    out.push_back(std::move(st));
  }
}

Statement syntax_error(const Source& source, std::size_t piece_begin, std::size_t piece_end,
                       const PgQueryError& error, int index) {
  Statement st;
  st.index = index;
  st.begin = piece_begin;
  st.end = piece_end;
  st.error = error.message ? error.message : "syntax error";
  st.error_offset = error.cursorpos > 0 ? source.offset_of_char(piece_begin, error.cursorpos) : std::string::npos;
  return st;
}

// Narrows every statement to its tokens and records the file's comments.
void locate(Source& source, std::vector<Statement>& statements) {
  std::vector<Range> ranges;
  ranges.reserve(statements.size());
  for (const auto& st : statements) ranges.push_back({st.begin, st.end});
  source.scan(ranges);
  for (std::size_t i = 0; i < statements.size(); ++i) {
    statements[i].begin = ranges[i].begin;
    statements[i].end = ranges[i].end;
    if (statements[i].kind.empty() && statements[i].error_offset == std::string::npos)
      statements[i].error_offset = statements[i].begin;  // no position from the parser: the statement's start
  }
}

}  // namespace

Parsed parse(Source& source) {
  Parsed parsed;
  const std::string& text = source.text();
  std::optional<ParseResult> whole;
  if (text.size() <= kWholeFileLimit) {
    whole.emplace(text);
    if (!whole->r.error) {
      add_statements(whole->r.parse_tree, 0, text.size(), parsed.statements);
      locate(source, parsed.statements);
      return parsed;
    }
    parsed.syntax_error = true;
  }
  Split split = split_statements(source);
  if (!split.error.empty()) {
    // Not even the scanner gets through (e.g. an unterminated quote): one error, no statements.
    parsed.syntax_error = true;
    Statement st;
    if (whole) {
      st = syntax_error(source, 0, text.size(), *whole->r.error, 0);
    } else {
      st.begin = 0;
      st.end = text.size();
      st.error = split.error;
      st.error_offset = split.error_offset;
    }
    parsed.statements.push_back(std::move(st));
    locate(source, parsed.statements);
    return parsed;
  }
  bool located = false;
  std::string piece;
  for (const Range& range : split.statements) {
    std::size_t loc = range.begin;
    std::size_t len = range.end - range.begin;
    if (std::string kind = large_data_statement(text, range); !kind.empty()) {
      Statement st;
      st.index = static_cast<int>(parsed.statements.size());
      st.begin = st.node_base = loc;
      st.end = loc + len;
      st.kind = std::move(kind);
      parsed.statements.push_back(std::move(st));
      continue;
    }
    piece.assign(text, loc, len);
    ParseResult one(piece);
    if (one.r.error) {
      parsed.statements.push_back(syntax_error(source, loc, loc + len, *one.r.error,
                                               static_cast<int>(parsed.statements.size())));
      parsed.syntax_error = located = true;
    } else if (std::string_view kind = first_kind(one.r.parse_tree); opaque(kind)) {
      Statement st;  // one statement per piece: its tree is not needed
      st.index = static_cast<int>(parsed.statements.size());
      st.begin = st.node_base = loc;
      st.end = loc + len;
      st.kind = std::string(kind);
      parsed.statements.push_back(std::move(st));
    } else {
      add_statements(one.r.parse_tree, loc, len, parsed.statements);
    }
  }
  locate(source, parsed.statements);
  if (!whole || !parsed.syntax_error) return parsed;  // a large file: the pieces are the verdict
  if (!located) {
    // Every piece parses alone but the file does not: report the parser's own position.
    Statement st = syntax_error(source, 0, text.size(), *whole->r.error,
                                static_cast<int>(parsed.statements.size()));
    if (st.error_offset == std::string::npos) st.error_offset = 0;
    st.begin = st.error_offset;
    st.end = std::max(st.begin, text.size());
    while (st.end > st.begin && (std::isspace(static_cast<unsigned char>(text[st.end - 1])) || text[st.end - 1] == ';')) --st.end;
    parsed.statements.push_back(std::move(st));
  }
  return parsed;
}

}  // namespace migrate_guard::lint::detail
