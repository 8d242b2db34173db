#include "kit/retry.hpp"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <string>

namespace kit {

Millis backoff_delay(const RetryPolicy& policy, int retry, std::mt19937_64& rng, std::optional<Millis> retry_after) {
  if (retry_after) return std::min(*retry_after, policy.max_retry_after);
  double base = static_cast<double>(policy.initial_delay.count()) * std::pow(policy.multiplier, std::max(0, retry - 1));
  base = std::min(base, static_cast<double>(policy.max_delay.count()));
  std::uniform_real_distribution<double> spread(1.0 - policy.jitter, 1.0 + policy.jitter);
  double d = policy.jitter > 0 ? base * spread(rng) : base;
  return Millis(static_cast<long long>(std::min(d, static_cast<double>(policy.max_delay.count()))));
}

std::optional<Millis> parse_retry_after(std::string_view value, std::int64_t now) {
  std::string v(value);
  while (!v.empty() && std::isspace(static_cast<unsigned char>(v.back()))) v.pop_back();
  while (!v.empty() && std::isspace(static_cast<unsigned char>(v.front()))) v.erase(v.begin());
  if (v.empty()) return std::nullopt;
  if (std::all_of(v.begin(), v.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
    if (v.size() > 9) return std::nullopt;
    return Millis(std::stoll(v) * 1000);
  }
  std::tm tm{};
  // IMF-fixdate, e.g. "Wed, 21 Oct 2015 07:28:00 GMT"
  const char* end = strptime(v.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (!end || *end != '\0') return std::nullopt;
  std::int64_t when = timegm(&tm);
  return Millis(std::max<std::int64_t>(0, when - now) * 1000);
}

}  // namespace kit
