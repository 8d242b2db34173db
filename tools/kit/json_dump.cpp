#include "kit/json_dump.hpp"

#include <charconv>
#include <nlohmann/json.hpp>

namespace kit {
namespace {

constexpr int kIndent = 2;

// Length of the well-formed UTF-8 sequence at text[i] (RFC 3629: no overlongs, no surrogates,
// nothing above U+10FFFF), 0 if there is none: the same bytes nlohmann's decoder accepts.
size_t sequence(const std::string& text, size_t i) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  unsigned char c = b(i);
  size_t n;
  unsigned min, cp;
  if ((c & 0xE0) == 0xC0) n = 2, min = 0x80, cp = c & 0x1F;
  else if ((c & 0xF0) == 0xE0) n = 3, min = 0x800, cp = c & 0x0F;
  else if ((c & 0xF8) == 0xF0) n = 4, min = 0x10000, cp = c & 0x07;
  else return 0;
  if (i + n > text.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b(i + k) & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

// A JSON string literal as nlohmann writes it with ensure_ascii = false. Invalid UTF-8 goes to
// nlohmann itself (its replacement rules are subtle), which is rare.
void string_literal(const std::string& text, std::string& out) {
  size_t mark = out.size();
  out += '"';
  size_t run = 0;  // start of the bytes not yet copied
  for (size_t i = 0; i < text.size();) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      size_t n = sequence(text, i);
      if (n == 0) {
        out.resize(mark);
        out += nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        return;
      }
      i += n;
      continue;
    }
    if (c >= 0x20 && c != '"' && c != '\\') {
      ++i;
      continue;
    }
    out.append(text, run, i - run);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\f': out += "\\f"; break;
      case '\r': out += "\\r"; break;
      default: {
        static const char hex[] = "0123456789abcdef";
        out += "\\u00";
        out += hex[c >> 4];
        out += hex[c & 15];
      }
    }
    run = ++i;
  }
  out.append(text, run, std::string::npos);
  out += '"';
}

template <typename Int>
void integer(Int v, std::string& out) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

void dump(const nlohmann::json& v, std::string& out, int level) {
  switch (v.type()) {
    case nlohmann::json::value_t::object: {
      if (v.empty()) {
        out += "{}";
        return;
      }
      out += "{\n";
      bool first = true;
      for (auto it = v.begin(); it != v.end(); ++it) {
        if (!first) out += ",\n";
        first = false;
        out.append(static_cast<size_t>((level + 1) * kIndent), ' ');
        string_literal(it.key(), out);
        out += ": ";
        dump(it.value(), out, level + 1);
      }
      out += '\n';
      out.append(static_cast<size_t>(level * kIndent), ' ');
      out += '}';
      return;
    }
    case nlohmann::json::value_t::array: {
      if (v.empty()) {
        out += "[]";
        return;
      }
      out += "[\n";
      bool first = true;
      for (const auto& item : v) {
        if (!first) out += ",\n";
        first = false;
        out.append(static_cast<size_t>((level + 1) * kIndent), ' ');
        dump(item, out, level + 1);
      }
      out += '\n';
      out.append(static_cast<size_t>(level * kIndent), ' ');
      out += ']';
      return;
    }
    case nlohmann::json::value_t::string: string_literal(v.get_ref<const std::string&>(), out); return;
    case nlohmann::json::value_t::boolean: out += v.get<bool>() ? "true" : "false"; return;
    case nlohmann::json::value_t::null: out += "null"; return;
    case nlohmann::json::value_t::number_integer: integer(v.get<std::int64_t>(), out); return;
    case nlohmann::json::value_t::number_unsigned: integer(v.get<std::uint64_t>(), out); return;
    default:  // floats, binary, discarded: nlohmann's own text
      out += v.dump(kIndent, ' ', false, nlohmann::json::error_handler_t::replace);
      return;
  }
}

}  // namespace

std::string dump_pretty(const nlohmann::json& value) {
  std::string out;
  dump(value, out, 0);
  return out;
}

}  // namespace kit
