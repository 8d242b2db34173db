#pragma once
// JSON from the outside (response bodies, manifests, reports) read without trusting its shape:
// nesting is bounded before parsing (nlohmann's dump, comparison and copy recurse once per level,
// so 1 MB of `[[[[…` overflowed the stack), and JSON Pointers are resolved without exceptions (an
// array index beyond SIZE_MAX is simply not there). Plain functions: fuzz harnesses call them.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

namespace kit {

constexpr size_t kMaxJsonDepth = 64;

// The deepest nesting of arrays and objects in `text` (strings skipped), counting no further
// than `stop_at`. Works on any bytes, JSON or not.
size_t json_depth(std::string_view text, size_t stop_at);

// Parses `text`; the result is discarded (is_discarded()) when it is not JSON (invalid UTF-8
// included) or nests deeper than `max_depth`. `why` (optional) says which.
nlohmann::json parse_untrusted_json(std::string_view text, size_t max_depth = kMaxJsonDepth, std::string* why = nullptr);

// The value at an RFC 6901 JSON Pointer ("/info/db/status", "/items/0"), or nullptr when any step
// is missing, out of range or not a container. Never throws. A malformed pointer finds nothing.
const nlohmann::json* find_pointer(const nlohmann::json& document, std::string_view pointer);

// Whether `pointer` is a well-formed JSON Pointer ("" or "/a/b~1c"; ~ only as ~0 or ~1).
bool is_json_pointer(std::string_view pointer);

// A JSON integer that an int64 holds, or nothing: a float (even 1e300 or 2.0), a string, an
// unsigned beyond INT64_MAX. nlohmann's get<int64_t>/value() convert a float out of range with
// undefined behaviour (found by tests/fuzz/manifest_fuzz), so untrusted numbers come through here.
std::optional<std::int64_t> json_integer(const nlohmann::json& value);

// json_integer of object[key], or nothing when `object` is not an object or has no such key.
std::optional<std::int64_t> json_integer(const nlohmann::json& object, const char* key);

// object[key] when it is a string, else `fallback`: nlohmann's value(key, "") throws type_error
// when the key holds another type (an object "status" in a health body, found by health_body_fuzz).
std::string json_string(const nlohmann::json& object, const char* key, const std::string& fallback = "");

// A JSON value as short one-line text for a message: a string as it is, anything else dumped;
// invalid UTF-8 replaced, cut to `max_chars` characters.
std::string json_excerpt(const nlohmann::json& value, size_t max_chars = 200);

}  // namespace kit
