#include "kit/duration.hpp"

#include <cctype>
#include <cmath>

#include "kit/error.hpp"
#include "kit/text.hpp"

namespace kit {

Millis parse_duration(std::string_view text, std::string_view what, Millis max, bool days) {
  auto bad = [&](const std::string& why) {
    return usage_error(std::string(what) + ": '" + quote_value(text) + "' is not a duration (" + why +
                       "; use e.g. 500ms, 5s, 2m, 1h30m" + (days ? std::string(", 2d") : std::string()) + ")");
  };
  if (text.empty()) throw bad("empty");
  double total_ms = 0;
  size_t i = 0;
  while (i < text.size()) {
    size_t start = i;
    while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
    if (start == i) throw bad("expected a number");
    auto number = parse_number(text.substr(start, i - start));  // digits and at most one point
    if (!number) throw bad("malformed number");
    size_t ustart = i;
    while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) ++i;
    std::string_view unit = text.substr(ustart, i - ustart);
    double factor;
    if (unit == "ms") factor = 1;
    else if (unit == "s") factor = 1000;
    else if (unit == "m") factor = 60'000;
    else if (unit == "h") factor = 3'600'000;
    else if (unit == "d" && days) factor = 86'400'000;
    else if (unit.empty()) throw bad("missing unit");
    else throw bad("unknown unit '" + std::string(unit) + "'");
    total_ms += *number * factor;
  }
  if (total_ms > static_cast<double>(max.count()))
    throw bad("longer than " + (max.count() % 86'400'000 == 0 ? std::to_string(max.count() / 86'400'000) + " days" : format_duration(max)));
  return Millis(static_cast<long long>(std::llround(total_ms)));
}

std::string format_duration(Millis d) {
  long long ms = d.count();
  if (ms < 0) return "-" + format_duration(Millis(-ms));
  if (ms < 1000) return std::to_string(ms) + "ms";
  std::string out;
  long long h = ms / 3'600'000, m = (ms / 60'000) % 60, s = (ms / 1000) % 60, rest = ms % 1000;
  if (h) out += std::to_string(h) + "h";
  if (m) out += std::to_string(m) + "m";
  if (s || rest) {
    out += std::to_string(s);
    if (rest) {
      std::string frac = std::to_string(rest + 1000).substr(1);
      while (!frac.empty() && frac.back() == '0') frac.pop_back();
      out += "." + frac;
    }
    out += "s";
  }
  return out;
}

}  // namespace kit
