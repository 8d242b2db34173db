#pragma once
// Every secret a tool learns (tokens, passwords, secret header values) is registered here; logs,
// reports, summaries and child-process arguments pass through redact() so none of them leaks.
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace kit {

// A secret value. Constructing one is the one way a secret is registered: from then on it is
// redacted everywhere (and masked with ::add-mask:: in Actions), so code that learns a token or a
// password holds it as a kit::Secret instead of calling register functions here and there.
class Secret {
 public:
  explicit Secret(std::string value);
  const std::string& value() const { return value_; }  // for the request or child env that needs it
  bool empty() const { return value_.empty(); }

 private:
  std::string value_;
};

class Secrets {
 public:
  // Registers a secret (prefer constructing a kit::Secret, which calls this) and each line of a multi-line one). In GitHub Actions it is also announced
  // with ::add-mask:: (stdout, or stderr under --json) so the runner masks it in everything it
  // displays, including output the tool never sees.
  void add(std::string value);
  std::string redact(std::string_view text) const;
  // False when redact(text) would return text unchanged for sure (no URL-like part, no registered
  // secret in it): callers holding the text already can then skip the copy.
  bool may_redact(std::string_view text) const;
  // Whether add() prints ::add-mask::, and on which stream (set by the runtime).
  void set_announce(bool announce, bool to_stderr = false);
  void clear();                      // tests only

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> values_;
  bool announce_ = false;
  bool announce_to_stderr_ = false;
};

Secrets& secrets();

// Untrusted text cut for a message: secrets redacted *before* the cut (a cut through a token
// leaves a prefix that redact() no longer recognises), then cut to at most max_chars characters
// on a character boundary ("…" when cut). Controls are not escaped here (the log does that).
std::string redacted_excerpt(std::string_view text, size_t max_chars);

// "postgres://user:pw@host/db" -> "postgres://user:***@host/db", and credential-carrying query
// parameters (token, access_token, key, api_key, apikey, secret, password, sig, signature):
// "https://h/health?token=abc&x=1" -> "https://h/health?token=***&x=1". Works on free text that
// contains URLs; leaves other text alone.
std::string redact_url(std::string_view url);

// Registers the password and secret query values of a URL (if any) as secrets; returns the
// redacted URL.
std::string learn_url_secret(std::string_view url);

// Whether a request header carries a credential: Authorization, Proxy-Authorization, Cookie,
// Set-Cookie, or a name containing token, key, secret, password, auth or session (any case).
bool is_secret_header(std::string_view name);

}  // namespace kit
