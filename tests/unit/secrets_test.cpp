#include <doctest/doctest.h>

#include "kit/secrets.hpp"

TEST_CASE("passwords inside URLs are redacted, in free text too") {
  CHECK(kit::redact_url("postgresql://app:hunter2@db.example:5432/prod") == "postgresql://app:***@db.example:5432/prod");
  CHECK(kit::redact_url("failed to reach https://u:p%40ss@h/x and more") == "failed to reach https://u:***@h/x and more");
  CHECK(kit::redact_url("https://host/path?x=1") == "https://host/path?x=1");
}

TEST_CASE("learned secrets are redacted everywhere, longest first, encoded forms too") {
  kit::secrets().clear();
  kit::learn_url_secret("postgres://u:p%40ssw0rd@h/db");
  CHECK(kit::secrets().redact("password p@ssw0rd is wrong") == "password *** is wrong");
  kit::secrets().add("abc");
  kit::secrets().add("abcdef");
  CHECK(kit::secrets().redact("xabcdefx abc") == "x***x ***");
  kit::secrets().add("ab");  // too short to be worth masking
  CHECK(kit::secrets().redact("ab") == "ab");
  kit::secrets().clear();
}
