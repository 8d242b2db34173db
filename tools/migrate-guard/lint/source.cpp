// Positions and comments in the raw migration text. libpg_query's JSON tree carries no comments,
// and statement locations include the blanks and comments before a statement, so this small
// scanner finds comments (outside literals, quoted identifiers and dollar-quoted bodies) and the
// first real token of each statement.
#include <algorithm>
#include <cctype>

#include "internal.hpp"

namespace migrate_guard::lint::detail {
namespace {

bool ident_char(unsigned char c) { return std::isalnum(c) || c == '_' || c >= 0x80; }

}  // namespace

Source::Source(const std::string& text) : text_(text) {
  line_starts_.push_back(0);
  for (std::size_t i = 0; i < text_.size(); ++i) {
    if (text_[i] == '\n') line_starts_.push_back(i + 1);
  }
  const std::string& s = text_;
  const std::size_t n = s.size();
  std::size_t i = 0;
  while (i < n) {
    char c = s[i];
    if (c == '-' && i + 1 < n && s[i + 1] == '-') {
      std::size_t e = s.find('\n', i);
      if (e == std::string::npos) e = n;
      std::string body = s.substr(i + 2, e - i - 2);
      if (!body.empty() && body.back() == '\r') body.pop_back();
      comments_.push_back({i, e, body});
      i = e;
    } else if (c == '/' && i + 1 < n && s[i + 1] == '*') {
      int depth = 1;  // PostgreSQL block comments nest
      std::size_t j = i + 2;
      while (j < n && depth > 0) {
        if (s[j] == '/' && j + 1 < n && s[j + 1] == '*') { ++depth; j += 2; }
        else if (s[j] == '*' && j + 1 < n && s[j + 1] == '/') { --depth; j += 2; }
        else ++j;
      }
      std::size_t body_end = depth == 0 ? j - 2 : j;
      comments_.push_back({i, j, s.substr(i + 2, body_end - i - 2)});
      i = j;
    } else if (c == '\'') {
      // E'...' strings honour backslash escapes; standard strings only double quotes.
      bool escapes = i > 0 && (s[i - 1] == 'E' || s[i - 1] == 'e') && (i < 2 || !ident_char(s[i - 2]));
      std::size_t j = i + 1;
      while (j < n) {
        if (escapes && s[j] == '\\') { j += 2; continue; }
        if (s[j] == '\'') {
          if (j + 1 < n && s[j + 1] == '\'') { j += 2; continue; }
          break;
        }
        ++j;
      }
      i = std::min(n, j + 1);
    } else if (c == '"') {
      std::size_t j = i + 1;
      while (j < n) {
        if (s[j] == '"') {
          if (j + 1 < n && s[j + 1] == '"') { j += 2; continue; }
          break;
        }
        ++j;
      }
      i = std::min(n, j + 1);
    } else if (c == '$' && (i == 0 || !ident_char(s[i - 1]))) {
      // $tag$ ... $tag$ (a tag never starts with a digit: `$1` is a parameter).
      std::size_t j = i + 1;
      if (j < n && std::isdigit(static_cast<unsigned char>(s[j]))) { ++i; continue; }
      while (j < n && ident_char(s[j]) && s[j] != '$') ++j;
      if (j < n && s[j] == '$') {
        std::string tag = s.substr(i, j - i + 1);
        std::size_t close = s.find(tag, j + 1);
        i = close == std::string::npos ? n : close + tag.size();
      } else {
        ++i;
      }
    } else if (ident_char(static_cast<unsigned char>(c))) {
      while (i < n && (ident_char(s[i]) || s[i] == '$')) ++i;  // identifiers may contain `$`
    } else {
      ++i;
    }
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

bool Source::in_comment(std::size_t offset) const {
  auto it = std::upper_bound(comments_.begin(), comments_.end(), offset,
                             [](std::size_t o, const Comment& c) { return o < c.begin; });
  if (it == comments_.begin()) return false;
  --it;
  return offset >= it->begin && offset < it->end;
}

std::size_t Source::first_token(std::size_t begin, std::size_t end) const {
  end = std::min(end, text_.size());
  for (std::size_t i = begin; i < end; ++i) {
    if (std::isspace(static_cast<unsigned char>(text_[i])) || in_comment(i)) continue;
    return i;
  }
  return end;
}

std::size_t Source::last_token_end(std::size_t begin, std::size_t end) const {
  end = std::min(end, text_.size());
  for (std::size_t i = end; i > begin; --i) {
    char c = text_[i - 1];
    if (std::isspace(static_cast<unsigned char>(c)) || c == ';' || in_comment(i - 1)) continue;
    return i;
  }
  return begin;
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
