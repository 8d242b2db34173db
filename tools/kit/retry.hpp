#pragma once
// Exponential backoff with jitter, honouring a server's Retry-After.
#include <cstdint>
#include <optional>
#include <random>
#include <string_view>

#include "kit/duration.hpp"

namespace kit {

struct RetryPolicy {
  int max_attempts = 4;          // total tries, including the first
  Millis initial_delay{200};
  Millis max_delay{10'000};
  double multiplier = 2.0;
  double jitter = 0.2;           // +-20% spread so many clients do not retry in lockstep
  Millis max_retry_after{60'000};  // a server asking for more than this is not waited for
  // A request that changes something and must not happen twice (a database restore): retried only
  // after an answer that proves it was not carried out (no connection made; 429), never after a
  // timeout, a reset or a 5xx, where it may have been (kit::outcome_unknown).
  bool acts = false;
};

// Delay before retry number `retry` (1 = first retry). `retry_after` from the server wins
// when given (capped by max_retry_after).
Millis backoff_delay(const RetryPolicy& policy, int retry, std::mt19937_64& rng,
                     std::optional<Millis> retry_after = std::nullopt);

// Parses a Retry-After value: delta-seconds or an HTTP-date. nullopt when unparseable.
std::optional<Millis> parse_retry_after(std::string_view value, std::int64_t now_epoch_seconds);

}  // namespace kit
