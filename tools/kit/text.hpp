#pragma once
// Small string operations every tool needs the same way.
#include <string>
#include <string_view>
#include <vector>

namespace kit {

std::string join(const std::vector<std::string>& items, std::string_view sep = ",");
std::string lower(std::string_view s);
// "a, b" and "c" -> {"a", "b", "c"}: each item split at commas, trimmed, empty pieces dropped. A
// list input arrives one item per line, but a workflow often passes "a,b" on one line.
std::vector<std::string> split_commas(const std::vector<std::string>& items);
std::string url_escape(std::string_view s);      // RFC 3986 percent-encoding (libcurl's)
std::string percent_decode(std::string_view s);  // %XX sequences; anything else as it is

}  // namespace kit
