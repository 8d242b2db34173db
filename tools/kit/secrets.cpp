#include "kit/secrets.hpp"

#include <algorithm>
#include <cstdio>
#include <regex>

namespace kit {

namespace {
std::string percent_decode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// scheme://user:password@ — the password part, found without a full URL parser because this
// must also work on free text (error messages, child output) that merely contains a URL.
const std::regex& userinfo_re() {
  static const std::regex re(R"(([A-Za-z][A-Za-z0-9+.-]*://[^:/@\s]*:)([^@\s/]+)@)");
  return re;
}
}  // namespace

void Secrets::add(std::string value) {
  // Very short values would redact half of every message and protect nothing.
  if (value.size() < 3) return;
  std::lock_guard lock(mutex_);
  if (std::find(values_.begin(), values_.end(), value) != values_.end()) return;
  values_.push_back(value);
  // Longest first, so a secret that contains another is replaced whole.
  std::sort(values_.begin(), values_.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
  if (announce_) {
    std::fprintf(stdout, "::add-mask::%s\n", value.c_str());
    std::fflush(stdout);
  }
}

std::string Secrets::redact(std::string_view text) const {
  std::string out = redact_url(text);
  std::lock_guard lock(mutex_);
  for (const auto& secret : values_) {
    size_t pos = 0;
    while ((pos = out.find(secret, pos)) != std::string::npos) {
      out.replace(pos, secret.size(), "***");
      pos += 3;
    }
  }
  return out;
}

void Secrets::set_announce(bool announce) {
  std::lock_guard lock(mutex_);
  announce_ = announce;
}

void Secrets::clear() {
  std::lock_guard lock(mutex_);
  values_.clear();
}

Secrets& secrets() {
  static Secrets instance;
  return instance;
}

std::string redact_url(std::string_view url) {
  return std::regex_replace(std::string(url), userinfo_re(), "$1***@");
}

std::string learn_url_secret(std::string_view url) {
  std::string text(url);
  std::smatch m;
  if (std::regex_search(text, m, userinfo_re())) {
    secrets().add(m[2].str());
    secrets().add(percent_decode(m[2].str()));
  }
  return redact_url(text);
}

}  // namespace kit
