#include <doctest/doctest.h>

#include "kit/http.hpp"
#include "kit/retry.hpp"

TEST_CASE("backoff doubles, is capped, and jitter stays within bounds") {
  kit::RetryPolicy p;
  p.initial_delay = kit::Millis(100);
  p.max_delay = kit::Millis(1000);
  p.jitter = 0;
  std::mt19937_64 rng(1);
  CHECK(kit::backoff_delay(p, 1, rng) == kit::Millis(100));
  CHECK(kit::backoff_delay(p, 2, rng) == kit::Millis(200));
  CHECK(kit::backoff_delay(p, 3, rng) == kit::Millis(400));
  CHECK(kit::backoff_delay(p, 10, rng) == kit::Millis(1000));
  p.jitter = 0.2;
  for (int i = 0; i < 200; ++i) {
    auto d = kit::backoff_delay(p, 2, rng).count();
    CHECK(d >= 160);
    CHECK(d <= 240);
  }
}

TEST_CASE("Retry-After wins and is capped") {
  kit::RetryPolicy p;
  p.max_retry_after = kit::Millis(5000);
  std::mt19937_64 rng(1);
  CHECK(kit::backoff_delay(p, 1, rng, kit::Millis(3000)) == kit::Millis(3000));
  CHECK(kit::backoff_delay(p, 1, rng, kit::Millis(30000)) == kit::Millis(5000));
}

TEST_CASE("Retry-After parses seconds and HTTP dates") {
  CHECK(kit::parse_retry_after("7", 0) == kit::Millis(7000));
  CHECK(kit::parse_retry_after(" 0 ", 0) == kit::Millis(0));
  // Wed, 21 Oct 2015 07:28:00 GMT = 1445412480
  CHECK(kit::parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", 1445412470) == kit::Millis(10000));
  CHECK(kit::parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", 1445412490) == kit::Millis(0));
  CHECK_FALSE(kit::parse_retry_after("soon", 0).has_value());
}

TEST_CASE("retryable statuses") {
  CHECK(kit::is_retryable_status(429));
  CHECK(kit::is_retryable_status(503));
  CHECK_FALSE(kit::is_retryable_status(404));
  CHECK_FALSE(kit::is_retryable_status(200));
}

TEST_CASE("Retry-After: every HTTP-date form (libcurl's date parser)") {
  // 1445412480 = Wed, 21 Oct 2015 07:28:00 GMT, in IMF-fixdate, RFC 850 and asctime forms.
  for (const char* date : {"Wed, 21 Oct 2015 07:28:00 GMT", "Wednesday, 21-Oct-15 07:28:00 GMT", "Wed Oct 21 07:28:00 2015"})
    CHECK(kit::parse_retry_after(date, 1445412470) == kit::Millis(10000));
  CHECK_FALSE(kit::parse_retry_after(std::string(10'000, '9'), 0).has_value());
}

TEST_CASE("a request that acts: which answers leave its outcome unknown") {
  kit::HttpResponse r;
  r.error = kit::TransportError::timeout;
  CHECK(kit::outcome_unknown(r));
  r.error = kit::TransportError::reset;
  CHECK(kit::outcome_unknown(r));
  r.error = kit::TransportError::connect;  // nothing reached the server
  CHECK_FALSE(kit::outcome_unknown(r));
  r.error = kit::TransportError::tls;
  CHECK_FALSE(kit::outcome_unknown(r));
  r.error = kit::TransportError::none;
  for (long status : {500L, 502L, 503L, 504L}) {
    r.status = status;
    CHECK(kit::outcome_unknown(r));
  }
  for (long status : {200L, 201L, 400L, 404L, 429L}) {
    r.status = status;
    CHECK_FALSE(kit::outcome_unknown(r));
  }
}
