#include "ota-publish/untrusted_text.hpp"

#include <cstdio>

#include "kit/secrets.hpp"
#include "kit/text.hpp"

namespace ota {

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
    size_t n = kit::utf8_sequence(text, i);
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
