#include "kit/env.hpp"

#include <cstdlib>

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

bool Env::in_github_actions() const { return get("GITHUB_ACTIONS").value_or("") == "true"; }

}  // namespace kit
