// Statements from libpg_query (the PostgreSQL 15 parser). The whole file is parsed at once; when
// that fails, the file is split with the scanner and each piece parsed alone, so one syntax error
// is reported at its own line and the other statements are still checked. The parser gives each
// statement's range; Source::scan then narrows it to its tokens.
#include <cctype>
#include <memory>

#include <pg_query.h>

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
  explicit SplitResult(const std::string& sql) : r(pg_query_split_with_scanner(sql.c_str())) {}
  ~SplitResult() { pg_query_free_split_result(r); }
  SplitResult(const SplitResult&) = delete;
  SplitResult& operator=(const SplitResult&) = delete;
};

// Appends the statements of a successful parse of text[base, base + size).
void add_statements(const char* tree, std::size_t base, std::size_t size, std::vector<Statement>& out) {
  json doc = json::parse(tree);
  for (const auto& raw : items(doc, "stmts")) {
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
      st.node = raw["stmt"].begin().value();
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
  ParseResult whole(text);
  if (!whole.r.error) {
    add_statements(whole.r.parse_tree, 0, text.size(), parsed.statements);
    locate(source, parsed.statements);
    return parsed;
  }
  parsed.syntax_error = true;
  SplitResult split(text);
  if (split.r.error) {
    // Not even the scanner gets through (e.g. an unterminated quote): one error, no statements.
    parsed.statements.push_back(syntax_error(source, 0, text.size(), *whole.r.error, 0));
    locate(source, parsed.statements);
    return parsed;
  }
  bool located = false;
  for (int i = 0; i < split.r.n_stmts; ++i) {
    auto loc = static_cast<std::size_t>(split.r.stmts[i]->stmt_location);
    auto len = static_cast<std::size_t>(split.r.stmts[i]->stmt_len);
    std::string piece = text.substr(loc, len);
    ParseResult one(piece);
    if (one.r.error) {
      parsed.statements.push_back(syntax_error(source, loc, loc + len, *one.r.error,
                                               static_cast<int>(parsed.statements.size())));
      located = true;
    } else {
      add_statements(one.r.parse_tree, loc, len, parsed.statements);
    }
  }
  locate(source, parsed.statements);
  if (!located) {
    // Every piece parses alone but the file does not: report the parser's own position.
    Statement st = syntax_error(source, 0, text.size(), *whole.r.error,
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
