#include "kit/secrets.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>

#include "kit/workflow_command.hpp"
#include "kit/text.hpp"

namespace kit {

namespace {


bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

// The URL scanners below are hand-written rather than std::regex: they run over every log line
// and whole summaries, and libstdc++'s regex recurses once per character of a long run.

// Where a secret sits in free text: [begin, end) of the value to replace.
struct Span {
  size_t begin, end;
};

// scheme://user:password@ — the password part, found without a full URL parser because this must
// also work on free text (error messages, child output) that merely contains a URL.
std::vector<Span> userinfo_passwords(std::string_view text) {
  std::vector<Span> out;
  size_t search = 0;
  while (true) {
    size_t sep = text.find("://", search);
    if (sep == std::string_view::npos) break;
    search = sep + 3;
    // The scheme: letters, digits, + . - and starting with a letter.
    size_t s = sep;
    while (s > 0 && (std::isalnum(static_cast<unsigned char>(text[s - 1])) || text[s - 1] == '+' || text[s - 1] == '.' ||
                     text[s - 1] == '-'))
      --s;
    while (s < sep && !std::isalpha(static_cast<unsigned char>(text[s]))) ++s;
    if (s == sep) continue;
    size_t i = sep + 3;
    while (i < text.size() && text[i] != ':' && text[i] != '/' && text[i] != '@' && !is_space(text[i])) ++i;
    if (i >= text.size() || text[i] != ':') continue;
    size_t begin = ++i;
    while (i < text.size() && text[i] != '@' && text[i] != '/' && !is_space(text[i])) ++i;
    if (i == begin || i >= text.size() || text[i] != '@') continue;
    out.push_back({begin, i});
    search = i + 1;
  }
  return out;
}

// ?token=...&sig=...: values of query parameters that carry credentials (signed URLs, API keys):
// a name one of whose words (split at '-', '_', '.') is one of these (access_token, api-key,
// X-Amz-Signature, X-Goog-Credential, an Azure SAS sig), or Azure Functions' `code`. Whole words:
// `monkey` or `sigma` are not keys. A password inside a run-together name too (libpq's sslpassword).
bool secret_param(std::string_view name) {
  static const std::array<std::string_view, 11> words = {"token", "key",  "apikey",     "secret", "password", "sig",
                                                        "signature", "credential", "auth", "pwd", "pass"};
  std::string n = lower(name);
  if (n == "code" || n.find("password") != std::string::npos || n.find("passwd") != std::string::npos) return true;
  for (size_t start = 0; start <= n.size();) {
    size_t end = n.find_first_of("-_.", start);
    if (end == std::string::npos) end = n.size();
    if (std::find(words.begin(), words.end(), std::string_view(n).substr(start, end - start)) != words.end()) return true;
    start = end + 1;
  }
  return false;
}

bool ends_param_value(char c) {
  // Besides the URL's own delimiters: what surrounds a URL in JSON, Markdown, quotes and logs.
  return c == '&' || c == '#' || c == '"' || c == '\'' || c == '<' || c == '>' || c == '\\' || c == '|' || c == '`' ||
         c == ')' || is_space(c);
}

std::vector<Span> secret_query_values(std::string_view text) {
  std::vector<Span> out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '?' && text[i] != '&') continue;
    size_t n = i + 1;
    while (n < text.size() && (std::isalnum(static_cast<unsigned char>(text[n])) || text[n] == '_' || text[n] == '-' || text[n] == '.'))
      ++n;
    if (n >= text.size() || text[n] != '=' || !secret_param(text.substr(i + 1, n - i - 1))) continue;
    size_t begin = n + 1, end = begin;
    while (end < text.size() && !ends_param_value(text[end])) ++end;
    if (end > begin) out.push_back({begin, end});
    i = end > i ? end - 1 : i;
  }
  return out;
}

std::string replace_spans(std::string_view text, std::vector<Span> spans) {
  std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) { return a.begin < b.begin; });
  std::string out;
  size_t at = 0;
  for (const auto& s : spans) {
    if (s.begin < at) continue;  // overlaps one already replaced
    out.append(text.substr(at, s.begin - at));
    out += "***";
    at = s.end;
  }
  out.append(text.substr(at));
  return out;
}

std::vector<Span> url_secrets(std::string_view text) {
  auto spans = userinfo_passwords(text);
  auto query = secret_query_values(text);
  spans.insert(spans.end(), query.begin(), query.end());
  return spans;
}
}  // namespace

Secret::Secret(std::string value) : value_(std::move(value)) { secrets().add(value_); }

void Secrets::add(std::string value) {
  // A multi-line secret (a key file, a certificate) is masked line by line as well: the runner
  // masks per line, and a log line may carry only one line of it.
  std::vector<std::string> pieces{value};
  if (value.find('\n') != std::string::npos) {
    size_t start = 0;
    while (start <= value.size()) {
      size_t nl = value.find('\n', start);
      std::string line = value.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      pieces.push_back(line);
      if (nl == std::string::npos) break;
      start = nl + 1;
    }
  }
  std::lock_guard lock(mutex_);
  for (const auto& piece : pieces) {
    // Very short values would redact half of every message and protect nothing.
    if (piece.size() < 3) continue;
    if (std::find(values_.begin(), values_.end(), piece) != values_.end()) continue;
    // Longest first: a secret that contains another (a whole URL and its password) is masked whole.
    values_.insert(std::upper_bound(values_.begin(), values_.end(), piece,
                                    [](const std::string& a, const std::string& b) { return a.size() > b.size(); }),
                   piece);
    // Like every workflow command: on stdout, where the runner reads them and where stderr's
    // one-line usage errors stay one line; on stderr when --json reserves stdout for the result.
    // A command is one line, so only single-line pieces go out.
    if (announce_ && piece.find('\n') == std::string::npos) {
      FILE* stream = announce_to_stderr_ ? stderr : stdout;
      std::fflush(stream == stderr ? stdout : stderr);
      std::fprintf(stream, "%s\n", format_add_mask(piece).c_str());
      std::fflush(stream);
    }
  }
  // Longest first, so a secret that contains another is replaced whole.
  std::sort(values_.begin(), values_.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
}

namespace {
// Text with no URL and no query parameter holds no URL secret (url_secrets looks for "://",
// '?' and '&'): the URL pass can be skipped. Most text is like that (thousands of lint findings
// each). One pass over the bytes: find_first_of("?&") called memchr once per byte of the text
// (4 M calls on `lint --json` with 3,000 findings).
bool url_like(std::string_view text) {
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '?' || c == '&' || (c == ':' && text.substr(i, 3) == "://")) return true;
  }
  return false;
}
}  // namespace

bool Secrets::may_redact(std::string_view text) const {
  if (url_like(text)) return true;
  std::lock_guard lock(mutex_);
  for (const auto& secret : values_)
    if (text.find(secret) != std::string_view::npos) return true;
  return false;
}

std::string Secrets::redact(std::string_view text) const {
  // Registered secrets first: a URL's redaction rewrites it, after which a secret that is the whole
  // URL (or spans its password and more, as with an unencoded '@' in it) would no longer be found.
  std::string out(text);
  {
    std::lock_guard lock(mutex_);
    for (const auto& secret : values_) {
      size_t pos = 0;
      while ((pos = out.find(secret, pos)) != std::string::npos) {
        out.replace(pos, secret.size(), "***");
        pos += 3;
      }
    }
  }
  return url_like(out) ? redact_url(out) : out;
}

void Secrets::set_announce(bool announce, bool to_stderr) {
  std::lock_guard lock(mutex_);
  announce_ = announce;
  announce_to_stderr_ = to_stderr;
}

void Secrets::clear() {
  std::lock_guard lock(mutex_);
  values_.clear();
}

Secrets& secrets() {
  static Secrets instance;
  return instance;
}

std::string redacted_excerpt(std::string_view text, size_t max_chars) {
  if (!secrets().may_redact(text)) return truncate_text(text, max_chars);
  return truncate_text(secrets().redact(text), max_chars);
}

std::string redact_url(std::string_view url) { return replace_spans(url, url_secrets(url)); }

std::string learn_url_secret(std::string_view url) {
  for (const auto& s : url_secrets(url)) {
    std::string_view value = url.substr(s.begin, s.end - s.begin);
    Secret{std::string(value)};
    Secret{percent_decode(value)};
  }
  return redact_url(url);
}

bool is_secret_header(std::string_view name) {
  std::string n = lower(name);
  for (std::string_view exact : {"authorization", "proxy-authorization", "cookie", "set-cookie"})
    if (n == exact) return true;
  for (std::string_view part : {"token", "key", "secret", "password", "auth", "session"})
    if (n.find(part) != std::string::npos) return true;
  return false;
}

}  // namespace kit
