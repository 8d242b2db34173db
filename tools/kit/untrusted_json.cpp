#include "kit/untrusted_json.hpp"

#include <nlohmann/json.hpp>

#include "kit/secrets.hpp"
#include "kit/text.hpp"

namespace kit {

size_t json_depth(std::string_view text, size_t stop_at) {
  size_t depth = 0, deepest = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > deepest) deepest = depth;
      if (deepest >= stop_at) return deepest;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

nlohmann::json parse_untrusted_json(std::string_view text, size_t max_depth, std::string* why) {
  if (json_depth(text, max_depth + 1) > max_depth) {
    if (why) *why = "nested deeper than " + std::to_string(max_depth) + " levels";
    return nlohmann::json(nlohmann::json::value_t::discarded);
  }
  auto value = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
  if (value.is_discarded() && why) *why = "not JSON";
  return value;
}

bool is_json_pointer(std::string_view pointer) {
  if (pointer.empty()) return true;
  if (pointer.front() != '/') return false;
  for (size_t i = 0; i < pointer.size(); ++i)
    if (pointer[i] == '~' && (i + 1 >= pointer.size() || (pointer[i + 1] != '0' && pointer[i + 1] != '1'))) return false;
  return true;
}

const nlohmann::json* find_pointer(const nlohmann::json& document, std::string_view pointer) {
  if (!is_json_pointer(pointer)) return nullptr;
  const nlohmann::json* at = &document;
  size_t pos = 0;
  while (pos < pointer.size()) {
    size_t next = pointer.find('/', pos + 1);
    std::string_view raw = pointer.substr(pos + 1, next == std::string_view::npos ? std::string_view::npos : next - pos - 1);
    pos = next == std::string_view::npos ? pointer.size() : next;
    std::string token;
    for (size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] == '~') {
        token += raw[i + 1] == '1' ? '/' : '~';
        ++i;
      } else {
        token += raw[i];
      }
    }
    if (at->is_object()) {
      auto it = at->find(token);
      if (it == at->end()) return nullptr;
      at = &*it;
    } else if (at->is_array()) {
      // RFC 6901: digits only, no leading zero; anything past the end (SIZE_MAX included) is absent.
      if (token.empty() || (token.size() > 1 && token[0] == '0') || token.size() > 19) return nullptr;
      for (char c : token)
        if (c < '0' || c > '9') return nullptr;
      auto index = parse_integer(token);
      if (!index || *index < 0 || static_cast<unsigned long long>(*index) >= at->size()) return nullptr;
      at = &(*at)[static_cast<size_t>(*index)];
    } else {
      return nullptr;
    }
  }
  return at;
}

std::optional<std::int64_t> json_integer(const nlohmann::json& value) {
  if (value.is_number_unsigned()) {
    auto u = value.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(INT64_MAX)) return std::nullopt;
    return static_cast<std::int64_t>(u);
  }
  if (value.is_number_integer()) return value.get<std::int64_t>();
  return std::nullopt;
}

std::optional<std::int64_t> json_integer(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return std::nullopt;
  auto it = object.find(key);
  return it == object.end() ? std::nullopt : json_integer(*it);
}

std::string json_string(const nlohmann::json& object, const char* key, const std::string& fallback) {
  if (!object.is_object()) return fallback;
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : fallback;
}

std::string json_excerpt(const nlohmann::json& value, size_t max_chars) {
  std::string text = value.is_string() ? value.get<std::string>()
                                       : value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return redacted_excerpt(valid_utf8(text), max_chars);
}

}  // namespace kit
