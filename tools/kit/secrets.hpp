#pragma once
// Every secret a tool learns (tokens, passwords, secret header values) is registered here; logs,
// reports, summaries and child-process arguments pass through redact() so none of them leaks.
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace kit {

class Secrets {
 public:
  // Registers a secret. In GitHub Actions it is also announced with ::add-mask:: so the runner
  // masks it in everything it displays, including output the tool never sees.
  void add(std::string value);
  std::string redact(std::string_view text) const;
  void set_announce(bool announce);  // whether add() prints ::add-mask:: (set by the runtime)
  void clear();                      // tests only

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> values_;
  bool announce_ = false;
};

Secrets& secrets();

// "postgres://user:pw@host/db" -> "postgres://user:***@host/db". Leaves other text alone.
std::string redact_url(std::string_view url);

// Registers the password of a URL (if any) as a secret; returns the redacted URL.
std::string learn_url_secret(std::string_view url);

}  // namespace kit
