#pragma once
// The process environment behind an interface, so tests can hand a tool a made-up environment.
#include <functional>
#include <map>
#include <optional>
#include <string>

namespace kit {

class Env {
 public:
  using Lookup = std::function<std::optional<std::string>(const std::string&)>;
  Env();                                       // the real process environment
  explicit Env(std::map<std::string, std::string> values);  // a fixed one (tests)
  // An empty value counts as unset, as GitHub passes unset inputs as empty strings.
  std::optional<std::string> get(const std::string& name) const;
  std::string get_or(const std::string& name, const std::string& fallback) const;
  // A credential (a token): the whitespace around it dropped (a token pasted with its newline),
  // registered as a secret; a control character inside it is a usage error that does not show it
  // (in an HTTP header it would end the header). nullopt when unset or blank.
  std::optional<std::string> secret(const std::string& name) const;
  bool in_github_actions() const;

 private:
  Lookup lookup_;
};

}  // namespace kit
