#pragma once
// Logging to stderr (spdlog underneath, kept out of this header so it stays cheap to include).
// Every message is redacted, and its control characters escaped (one message = one line), before
// it is written.
#include <string_view>

namespace kit::log {

enum class Format { text, json };
enum class Level { debug, info, warn, error, off };

void init(std::string_view tool, Format format, Level level);
void debug(std::string_view message);
void info(std::string_view message);
void warn(std::string_view message);
void error(std::string_view message);

}  // namespace kit::log
