#pragma once
// Small string operations every tool needs the same way: one place for lower-casing, trimming,
// strict number and boolean parsing, UTF-8-safe truncation and escaping of untrusted text.
// Plain functions without I/O, so a fuzz harness can call each of them directly.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kit {

std::string join(const std::vector<std::string>& items, std::string_view sep = ",");
std::string lower(std::string_view s);  // ASCII only: header names, schemes, keywords
std::string upper(std::string_view s);  // ASCII only
std::string trim(std::string_view s);   // spaces, tabs, CR and LF at both ends
// "a, b" and "c" -> {"a", "b", "c"}: each item split at commas, trimmed, empty pieces dropped. A
// list input arrives one item per line, but a workflow often passes "a,b" on one line.
std::vector<std::string> split_commas(const std::vector<std::string>& items);
// One item per line, each trimmed, blank lines dropped (how a list input arrives).
std::vector<std::string> split_lines(std::string_view text);
std::string url_escape(std::string_view s);      // RFC 3986 percent-encoding (libcurl's)
std::string percent_decode(std::string_view s);  // %XX sequences (libcurl's); anything else as it is

// Strict parsing: the whole text must be the number (no spaces, no trailing garbage); integers
// fit in 64 bits; a number is finite (no nan, no inf). nullopt otherwise.
std::optional<long long> parse_integer(std::string_view text);
std::optional<double> parse_number(std::string_view text);
// The booleans @actions/core's getBooleanInput accepts: true True TRUE false False FALSE.
std::optional<bool> parse_bool(std::string_view text);

// Length of the well-formed UTF-8 sequence at text[i] (RFC 3629: no overlongs, no surrogates,
// nothing above U+10FFFF; 1 for ASCII), 0 when the byte there does not start one: the same bytes
// nlohmann's decoder accepts.
size_t utf8_sequence(std::string_view text, size_t i);
// The longest prefix of `text` of at most `max_bytes` bytes that does not cut a UTF-8 character.
std::string_view utf8_prefix(std::string_view text, size_t max_bytes);
// `text` cut to at most `max_chars` characters (code points; invalid bytes count one each), with
// "…" appended when something was cut.
std::string truncate_text(std::string_view text, size_t max_chars);
// Valid UTF-8: every invalid byte replaced by U+FFFD.
std::string valid_utf8(std::string_view text);
// Untrusted text made safe for one line of a log or terminal: control characters (C0 including
// newline, DEL, C1) and invalid UTF-8 bytes become visible escapes (\n, \r, \t, \x1b, \u0085), so
// the text can neither start a new line nor drive the terminal. Printable text is unchanged.
std::string escape_controls(std::string_view text);
// A value the user gave (or a service sent) quoted back in a one-line message: escaped as above,
// then cut to `max_chars` characters with "…".
std::string quote_value(std::string_view text, size_t max_chars = 60);

// The candidate closest to `word` by edit distance, if close enough to be a likely typo.
std::optional<std::string> closest_match(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace kit
