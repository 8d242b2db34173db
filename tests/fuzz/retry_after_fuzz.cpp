// Retry-After from a registry's or service's 429/503 (delta-seconds or an HTTP-date), the one
// parsing of ours left (libcurl reads the header too; ours covers "0" and dates libcurl skips).
// Invariants: never negative; the backoff it feeds stays within the policy's cap.
#include <random>

#include "fuzz_support.hpp"
#include "kit/retry.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text = fuzz::as_string(data, size);
  const std::int64_t now = 1'795'000'000;  // 2026-11-18
  auto r = kit::parse_retry_after(text, now);
  if (!r) return 0;
  FUZZ_CHECK(r->count() >= 0, "a wait is never negative");
  kit::RetryPolicy policy;
  std::mt19937_64 rng(42);
  if (*r <= policy.max_retry_after) {
    kit::Millis delay = kit::backoff_delay(policy, 1, rng, r);
    FUZZ_CHECK(delay.count() >= 0 && delay <= policy.max_retry_after, "the delay is bounded");
  }
  return 0;
}
