#include "kit/retry.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cmath>
#include <ctime>
#include <string>

#include "kit/text.hpp"

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
  std::string v = trim(value);
  if (v.empty()) return std::nullopt;
  if (std::all_of(v.begin(), v.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
    if (v.size() > 9) return std::nullopt;
    return Millis(*parse_integer(v) * 1000);
  }
  // Every HTTP-date form (IMF-fixdate, RFC 850, asctime), parsed by libcurl as it does for the
  // responses it reads itself (CURLINFO_RETRY_AFTER).
  if (v.size() > 64) return std::nullopt;
  time_t when = curl_getdate(v.c_str(), nullptr);
  if (when == -1) return std::nullopt;
  // A date centuries ahead overflowed the multiplication (found by tests/fuzz/retry_after_fuzz):
  // any wait beyond a year is "too long" to every caller (RetryPolicy::max_retry_after), so cap it.
  constexpr std::int64_t kYear = 366LL * 24 * 3600;
  std::int64_t wait = static_cast<std::int64_t>(when) <= now ? 0 : std::min<std::int64_t>(static_cast<std::int64_t>(when) - now, kYear);
  return Millis(wait * 1000);
}

}  // namespace kit
