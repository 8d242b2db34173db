#pragma once
// The one error type every tool throws. Its category decides the exit code; main() catches it,
// reports the message and the hint, and exits. Nothing else in a tool calls exit().
#include <stdexcept>
#include <string>

namespace kit {

// Exit codes shared by every tool (documented in README.md).
enum class Exit : int {
  ok = 0,           // success
  negative = 1,     // the check/gate said no: the tool worked, the answer is negative
  usage = 2,        // usage or bad input; nothing changed
  environment = 3,  // environment or remote error; nothing changed
  partial = 4,      // failed part-way, or the rollback itself failed: a human is needed
};

class Error : public std::runtime_error {
 public:
  Error(Exit code, std::string message, std::string hint = {})
      : std::runtime_error(std::move(message)), code_(code), hint_(std::move(hint)) {}
  Exit code() const { return code_; }
  const std::string& hint() const { return hint_; }

 private:
  Exit code_;
  std::string hint_;
};

inline Error usage_error(std::string message, std::string hint = {}) {
  return Error(Exit::usage, std::move(message), std::move(hint));
}
inline Error environment_error(std::string message, std::string hint = {}) {
  return Error(Exit::environment, std::move(message), std::move(hint));
}
inline Error partial_error(std::string message, std::string hint = {}) {
  return Error(Exit::partial, std::move(message), std::move(hint));
}

}  // namespace kit
