#include "ota-publish/untrusted_text.hpp"

#include <cstdio>

#include "kit/secrets.hpp"

namespace ota {
namespace {

// Length of the valid UTF-8 sequence starting at s[i], or 0 when it is not one (overlongs,
// surrogates and code points above U+10FFFF are invalid, as RFC 3629 says).
size_t sequence_length(std::string_view s, size_t i) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  if (c < 0x80) return 1;
  size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
  if (n == 0 || c > 0xF4 || i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k)
    if ((b(i + k) & 0xC0) != 0x80) return 0;
  if (n == 3 && c == 0xE0 && b(i + 1) < 0xA0) return 0;  // overlong
  if (n == 3 && c == 0xED && b(i + 1) >= 0xA0) return 0;  // surrogate
  if (n == 4 && c == 0xF0 && b(i + 1) < 0x90) return 0;  // overlong
  if (n == 4 && c == 0xF4 && b(i + 1) >= 0x90) return 0;  // above U+10FFFF
  return n;
}

}  // namespace

std::string valid_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    size_t n = sequence_length(text, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(text.substr(i, n));
      i += n;
    }
  }
  return out;
}

std::string shown(std::string_view raw, size_t max) {
  // Secrets out before the cut: a cut through EXPO_TOKEN leaves a prefix nothing recognises.
  std::string clean = kit::secrets().may_redact(raw) ? kit::secrets().redact(raw) : std::string(raw);
  std::string_view text = clean;
  std::string out;
  bool cut = false;
  for (size_t i = 0; i < text.size();) {
    if (out.size() >= max) {
      cut = true;
      break;
    }
    size_t n = sequence_length(text, i);
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else if (n == 1 && (c < 0x20 || c == 0x7F)) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02X", c);
      out += buf;
      ++i;
    } else {
      out.append(text.substr(i, n));
      i += n;
    }
  }
  if (out.rfind("::", 0) == 0) out.insert(0, " ");
  if (cut) out += "\xE2\x80\xA6";
  return out;
}

}  // namespace ota
