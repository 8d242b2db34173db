#include "ota-publish/json5.hpp"

#include <cctype>
#include <cmath>
#include <cstdlib>

#include "ota-publish/untrusted_text.hpp"

namespace ota::json5 {

Value::Value() = default;
Value::~Value() = default;
Value::Value(const Value&) = default;
Value::Value(Value&&) noexcept = default;
Value& Value::operator=(const Value&) = default;
Value& Value::operator=(Value&&) noexcept = default;

namespace {

struct Failure {
  Error error;
};

class Parser {
 public:
  explicit Parser(std::string_view s) : s_(s) {}

  Value document() {
    skip();
    if (at_end()) fail("the file is empty");
    Value v = value(0);
    skip();
    if (!at_end()) fail("unexpected " + here() + " after the end of the document");
    return v;
  }

 private:
  std::string_view s_;
  size_t i_ = 0;
  int line_ = 1;
  size_t line_start_ = 0;

  bool at_end() const { return i_ >= s_.size(); }
  char peek(size_t ahead = 0) const { return i_ + ahead < s_.size() ? s_[i_ + ahead] : '\0'; }
  int col() const { return static_cast<int>(i_ - line_start_) + 1; }

  void advance() {
    if (s_[i_] == '\n') {
      ++line_;
      line_start_ = i_ + 1;
    }
    ++i_;
  }

  std::string here() const {
    if (at_end()) return "end of file";
    return "'" + shown(s_.substr(i_, 1), 10) + "'";
  }

  [[noreturn]] void fail(std::string message) const { throw Failure{{line_, col(), std::move(message)}}; }

  // Bytes of the multi-byte UTF-8 space at the cursor (BOM, U+1680, U+2000-200A, line and paragraph
  // separators, U+202F, U+205F, U+3000), else 0.
  size_t unicode_space() const {
    auto b = [&](size_t k) { return static_cast<unsigned char>(peek(k)); };
    if (b(0) == 0xEF && b(1) == 0xBB && b(2) == 0xBF) return 3;
    if (b(0) == 0xE1 && b(1) == 0x9A && b(2) == 0x80) return 3;
    if (b(0) == 0xE2 && b(1) == 0x80 && ((b(2) >= 0x80 && b(2) <= 0x8A) || b(2) == 0xA8 || b(2) == 0xA9 || b(2) == 0xAF)) return 3;
    if (b(0) == 0xE2 && b(1) == 0x81 && b(2) == 0x9F) return 3;
    if (b(0) == 0xE3 && b(1) == 0x80 && b(2) == 0x80) return 3;
    return 0;
  }

  // Whitespace (JSON5 allows a few more than JSON), // and /* */ comments.
  void skip() {
    while (!at_end()) {
      char c = peek();
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f') {
        advance();
      } else if (c == '\xC2' && peek(1) == '\xA0') {  // no-break space
        advance();
        advance();
      } else if (size_t n = unicode_space(); n > 0) {  // what JavaScript's \s also matches (golden-fleece's whitespace)
        for (size_t k = 0; k < n; ++k) advance();
      } else if (c == '/' && peek(1) == '/') {
        // golden-fleece ends a line comment at \r\n, \n or a lone \r.
        while (!at_end() && peek() != '\n' && peek() != '\r') advance();
      } else if (c == '/' && peek(1) == '*') {
        int line = line_, column = col();
        advance();
        advance();
        while (!at_end() && !(peek() == '*' && peek(1) == '/')) advance();
        if (at_end()) throw Failure{{line, column, "comment never closed (missing */)"}};
        advance();
        advance();
      } else {
        return;
      }
    }
  }

  Value value(int depth) {
    if (depth > kMaxDepth) fail("nested deeper than " + std::to_string(kMaxDepth) + " levels");
    Value v;
    v.line = line_;
    v.col = col();
    char c = peek();
    if (c == '{') {
      object(v, depth);
    } else if (c == '[') {
      array(v, depth);
    } else if (c == '"' || c == '\'') {
      v.kind = Value::Kind::string;
      v.text = string();
    } else if (c == '-' || c == '+' || c == '.' || (c >= '0' && c <= '9') || word_at("Infinity") || word_at("NaN")) {
      number(v);
    } else if (word_at("true")) {
      take_word("true");
      v.kind = Value::Kind::boolean;
      v.boolean = true;
    } else if (word_at("false")) {
      take_word("false");
      v.kind = Value::Kind::boolean;
    } else if (word_at("null")) {
      take_word("null");
    } else {
      fail("unexpected " + here() + " where a value should be");
    }
    return v;
  }

  bool word_at(std::string_view w) const { return s_.substr(i_, w.size()) == w; }
  void take_word(std::string_view w) {
    for (size_t k = 0; k < w.size(); ++k) advance();
  }

  void object(Value& v, int depth) {
    v.kind = Value::Kind::object;
    advance();  // {
    skip();
    while (peek() != '}') {
      if (at_end()) fail("object never closed (missing })");
      int key_line = line_;
      std::string key;
      if (peek() == '"' || peek() == '\'') key = string();
      else key = identifier();
      skip();
      if (peek() != ':') fail("expected ':' after key \"" + shown(key, 60) + "\", found " + here());
      advance();
      skip();
      Value member = value(depth + 1);
      v.members.emplace_back(std::move(key), std::move(member));
      v.key_lines.push_back(key_line);
      skip();
      if (peek() == ',') {
        advance();
        skip();
      } else if (peek() != '}') {
        fail(at_end() ? "object never closed (missing })" : "expected ',' or '}', found " + here());
      }
    }
    advance();
  }

  void array(Value& v, int depth) {
    v.kind = Value::Kind::array;
    advance();  // [
    skip();
    while (peek() != ']') {
      if (at_end()) fail("array never closed (missing ])");
      v.items.push_back(value(depth + 1));
      skip();
      if (peek() == ',') {
        advance();
        skip();
      } else if (peek() != ']') {
        fail(at_end() ? "array never closed (missing ])" : "expected ',' or ']', found " + here());
      }
    }
    advance();
  }

  std::string identifier() {
    std::string out;
    while (!at_end()) {
      unsigned char c = static_cast<unsigned char>(peek());
      if (std::isalnum(c) || c == '_' || c == '$' || c >= 0x80) {
        out += static_cast<char>(c);
        advance();
      } else {
        break;
      }
    }
    if (out.empty()) fail("expected a key, found " + here());
    if (std::isdigit(static_cast<unsigned char>(out[0]))) fail("a key cannot start with a digit unless quoted");
    return out;
  }

  static void append_utf8(std::string& out, unsigned long cp) {
    if (cp >= 0xD800 && cp <= 0xDFFF) cp = 0xFFFD;
    if (cp < 0x80) out += static_cast<char>(cp);
    else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  unsigned long hex(int digits) {
    unsigned long v = 0;
    for (int k = 0; k < digits; ++k) {
      char c = peek();
      if (!std::isxdigit(static_cast<unsigned char>(c))) fail("bad \\u or \\x escape");
      v = v * 16 + static_cast<unsigned long>(std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : (std::tolower(c) - 'a' + 10));
      advance();
    }
    return v;
  }

  std::string string() {
    char quote = peek();
    int line = line_, column = col();
    advance();
    std::string out;
    while (true) {
      if (at_end()) throw Failure{{line, column, "string never closed (missing " + std::string(1, quote) + ")"}};
      char c = peek();
      if (c == quote) {
        advance();
        return out;
      }
      if (c == '\n' || c == '\r') fail("line break inside a string (escape it as \\n)");
      if (c != '\\') {
        out += c;
        advance();
        continue;
      }
      advance();
      if (at_end()) continue;
      char e = peek();
      switch (e) {
        case 'n': out += '\n'; advance(); break;
        case 't': out += '\t'; advance(); break;
        case 'r': out += '\r'; advance(); break;
        case 'b': out += '\b'; advance(); break;
        case 'f': out += '\f'; advance(); break;
        case 'v': out += '\v'; advance(); break;
        case '0': out += '\0'; advance(); break;
        case 'x': advance(); append_utf8(out, hex(2)); break;
        case 'u': {
          advance();
          unsigned long cp = hex(4);
          if (cp >= 0xD800 && cp <= 0xDBFF && peek() == '\\' && peek(1) == 'u') {
            advance();
            advance();
            unsigned long low = hex(4);
            if (low >= 0xDC00 && low <= 0xDFFF) cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
            else {
              append_utf8(out, 0xFFFD);
              cp = low;
            }
          }
          append_utf8(out, cp);
          break;
        }
        case '\r':
          advance();
          if (peek() == '\n') advance();
          break;  // line continuation
        case '\n': advance(); break;
        default: out += e; advance(); break;
      }
    }
  }

  void number(Value& v) {
    v.kind = Value::Kind::number;
    size_t start = i_;
    if (peek() == '+' || peek() == '-') advance();
    if (word_at("Infinity")) {
      take_word("Infinity");
      v.number = s_[start] == '-' ? -INFINITY : INFINITY;
    } else if (word_at("NaN")) {
      if (i_ != start) fail("NaN cannot have a sign (eas-cli's reader refuses it)");
      take_word("NaN");
      v.number = NAN;
    } else if (peek() == '0' && (peek(1) == 'x' || peek(1) == 'X')) {
      advance();
      advance();
      if (!std::isxdigit(static_cast<unsigned char>(peek()))) fail("bad hexadecimal number");
      double n = 0;
      while (std::isxdigit(static_cast<unsigned char>(peek()))) {
        char c = peek();
        n = n * 16 + (std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : (std::tolower(c) - 'a' + 10));
        advance();
      }
      v.number = s_[start] == '-' ? -n : n;
    } else {
      bool digits = false;
      while (std::isdigit(static_cast<unsigned char>(peek()))) {
        advance();
        digits = true;
      }
      if (peek() == '.') {
        advance();
        while (std::isdigit(static_cast<unsigned char>(peek()))) {
          advance();
          digits = true;
        }
      }
      if (!digits) fail("bad number");
      if (peek() == 'e' || peek() == 'E') {
        advance();
        if (peek() == '+' || peek() == '-') advance();
        if (!std::isdigit(static_cast<unsigned char>(peek()))) fail("bad number exponent");
        while (std::isdigit(static_cast<unsigned char>(peek()))) advance();
      }
      std::string text(s_.substr(start, i_ - start));
      v.number = std::strtod(text.c_str(), nullptr);
    }
    v.text = std::string(s_.substr(start, i_ - start));
  }
};

}  // namespace

const Value* Value::get(std::string_view key) const {
  for (size_t k = members.size(); k-- > 0;)
    if (members[k].first == key) return &members[k].second;
  return nullptr;
}

int Value::key_line(std::string_view key) const {
  for (size_t k = members.size(); k-- > 0;)
    if (members[k].first == key) return key_lines[k];
  return 0;
}

Parsed parse(std::string_view text) {
  Parsed p;
  try {
    Parser parser(text);
    p.value = parser.document();
  } catch (const Failure& f) {
    p.error = f.error;
  }
  return p;
}

}  // namespace ota::json5
