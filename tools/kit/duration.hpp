#pragma once
#include <chrono>
#include <string>
#include <string_view>

namespace kit {

using Millis = std::chrono::milliseconds;

// Parses "500ms", "5s", "2m", "1h30m", "1.5s" (and "3d" where `days` allows it: a deadline or a
// delay in days is a typo). A bare number is refused: a unit must be said.
// Throws kit::Error(usage) naming `what` (e.g. "--interval") on bad input or beyond `max`.
Millis parse_duration(std::string_view text, std::string_view what = "duration",
                      Millis max = std::chrono::hours(7 * 24), bool days = false);

// "1h2m3s", "1.5s", "250ms": the shortest exact form, for humans and outputs.
std::string format_duration(Millis d);

}  // namespace kit
