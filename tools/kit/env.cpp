#include "kit/env.hpp"

#include <cstdlib>

#include "kit/error.hpp"
#include "kit/secrets.hpp"

namespace kit {

Env::Env()
    : lookup_([](const std::string& name) -> std::optional<std::string> {
        const char* v = std::getenv(name.c_str());
        if (!v) return std::nullopt;
        return std::string(v);
      }) {}

Env::Env(std::map<std::string, std::string> values)
    : lookup_([values = std::move(values)](const std::string& name) -> std::optional<std::string> {
        auto it = values.find(name);
        if (it == values.end()) return std::nullopt;
        return it->second;
      }) {}

std::optional<std::string> Env::get(const std::string& name) const {
  auto v = lookup_(name);
  if (v && v->empty()) return std::nullopt;
  return v;
}

std::string Env::get_or(const std::string& name, const std::string& fallback) const {
  return get(name).value_or(fallback);
}

std::optional<std::string> Env::secret(const std::string& name) const {
  auto v = get(name);
  if (!v) return std::nullopt;
  Secret whole(*v);  // registered before any message could show it
  const char* space = " \t\r\n\v\f";
  size_t first = v->find_first_not_of(space);
  if (first == std::string::npos) return std::nullopt;
  std::string value = v->substr(first, v->find_last_not_of(space) - first + 1);
  for (unsigned char c : value)
    if (c < 0x20 || c == 0x7f)
      throw usage_error(name + " contains a control character (a line break or tab inside the value, not shown): set it again "
                               "to the token alone");
  return Secret(std::move(value)).value();
}

bool Env::in_github_actions() const { return get("GITHUB_ACTIONS").value_or("") == "true"; }

}  // namespace kit
