#include <doctest/doctest.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <string>

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

TEST_CASE("credential query parameters are redacted in URLs and free text, other parameters kept") {
  CHECK(kit::redact_url("https://h/health?token=abc123&x=1") == "https://h/health?token=***&x=1");
  CHECK(kit::redact_url("GET https://h/p?a=1&API_KEY=k3y#frag failed") == "GET https://h/p?a=1&API_KEY=***#frag failed");
  // Azure Functions' ?code=, api-key, S3 and GCS signed URLs.
  CHECK(kit::redact_url("https://f.azurewebsites.net/api/health?code=abc123") == "https://f.azurewebsites.net/api/health?code=***");
  CHECK(kit::redact_url("https://h/health?api-key=k&v=2") == "https://h/health?api-key=***&v=2");
  CHECK(kit::redact_url("https://b.s3.amazonaws.com/o?X-Amz-Credential=AKIA&X-Amz-Signature=f00") ==
        "https://b.s3.amazonaws.com/o?X-Amz-Credential=***&X-Amz-Signature=***");
  for (const char* name : {"token", "access_token", "key", "api_key", "apikey", "secret", "password", "sig", "signature"})
    CHECK(kit::redact_url(std::string("https://h/?") + name + "=v4lue") == std::string("https://h/?") + name + "=***");
  // A database URL's client-key passphrase (libpq's sslpassword), run together as libpq spells it.
  CHECK(kit::redact_url("postgresql://app@db/app?sslmode=verify-full&sslpassword=Key-Pass9") ==
        "postgresql://app@db/app?sslmode=verify-full&sslpassword=***");
  // Only whole parameter names: monkey= and tokens= are not credentials.
  CHECK(kit::redact_url("https://h/?monkey=1&tokens=2&sigma=3") == "https://h/?monkey=1&tokens=2&sigma=3");
  // Inside JSON and Markdown the value stops at the quote or the cell border.
  CHECK(kit::redact_url(R"({"url":"https://h/?sig=abc"})") == R"({"url":"https://h/?sig=***"})");
  CHECK(kit::redact_url("| https://h/?sig=abc | 503 |") == "| https://h/?sig=*** | 503 |");
  // Both kinds in one URL.
  CHECK(kit::redact_url("https://u:pw@h/?access_token=t0k") == "https://u:***@h/?access_token=***");
  // A long run of URL characters is scanned without recursion (std::regex used to crash here).
  std::string long_text = "https://h/?x=" + std::string(1 << 20, 'a');
  CHECK(kit::redact_url(long_text) == long_text);
  std::string long_secret = "https://u:" + std::string(1 << 20, 'p') + "@h/";
  CHECK(kit::redact_url(long_secret) == "https://u:***@h/");
}

TEST_CASE("a URL's credentials are learned: the same value elsewhere is redacted too") {
  kit::secrets().clear();
  CHECK(kit::learn_url_secret("https://h/health?api_key=k%2Fey-987") == "https://h/health?api_key=***");
  CHECK(kit::secrets().redact("curl said: key k/ey-987 rejected") == "curl said: key *** rejected");
  kit::secrets().clear();
}

TEST_CASE("secret header names") {
  for (const char* name : {"Authorization", "proxy-authorization", "Cookie", "SET-COOKIE", "X-Api-Key", "X-Auth-Token",
                           "X-Client-Secret", "X-Password", "X-Session-Id", "Private-Token", "X-AUTH"})
    CHECK_MESSAGE(kit::is_secret_header(name), name);
  for (const char* name : {"Accept", "Content-Type", "X-Request-Id", "User-Agent", "Host"})
    CHECK_MESSAGE(!kit::is_secret_header(name), name);
}

namespace {
// Runs fn with stderr redirected to a file, returns what was written.
template <typename Fn>
std::string capture_stderr(Fn fn) {
  std::fflush(stderr);
  char path[] = "/tmp/secrets-test-XXXXXX";
  int fd = mkstemp(path);
  int saved = dup(2);
  dup2(fd, 2);
  fn();
  std::fflush(stderr);
  dup2(saved, 2);
  close(saved);
  std::string out;
  lseek(fd, 0, SEEK_SET);
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  close(fd);
  unlink(path);
  return out;
}
}  // namespace

TEST_CASE("::add-mask:: goes to stderr under --json, line by line for a multi-line secret, escaped") {
  kit::secrets().clear();
  kit::secrets().set_announce(true, /*to_stderr=*/true);
  std::string err = capture_stderr([] {
    kit::secrets().add("-----BEGIN KEY-----\r\nline0ne%\nab\nline-two\n");
    kit::secrets().add("single-secret");
  });
  kit::secrets().set_announce(false);
  // Every line long enough to be worth masking, one command each; '%' escaped as the runner expects.
  CHECK(err == "::add-mask::-----BEGIN KEY-----\n::add-mask::line0ne%25\n::add-mask::line-two\n::add-mask::single-secret\n");
  // Each line is redacted on its own, and the whole value too.
  CHECK(kit::secrets().redact("got line-two here") == "got *** here");
  CHECK(kit::secrets().redact("x -----BEGIN KEY-----\r\nline0ne%\nab\nline-two\n y") == "x *** y");
  kit::secrets().clear();
}

TEST_CASE("may_redact is false only where redact changes nothing") {
  kit::secrets().clear();
  for (const char* text : {"plain text: col 3", "a:b//c", "x ? y", "a & b", "https://h/p", "q?token=1", ""})
    if (!kit::secrets().may_redact(text)) CHECK(kit::secrets().redact(text) == text);
  CHECK_FALSE(kit::secrets().may_redact("prefer-timestamptz: Column T.createdAt — Use timestamptz"));
  CHECK(kit::secrets().may_redact("see postgres://u:p@h/db"));
  CHECK(kit::secrets().may_redact("https://h/p?token=abc"));
  CHECK(kit::secrets().may_redact("a&b"));
  kit::secrets().add("tok3n-value");
  CHECK(kit::secrets().may_redact("xx tok3n-value yy"));
  CHECK_FALSE(kit::secrets().may_redact("xx tok3n yy"));
  CHECK(kit::secrets().redact("ends with :/") == "ends with :/");
  CHECK(kit::secrets().redact("u://") == "u://");
  kit::secrets().clear();
}

TEST_CASE("an excerpt redacts before it cuts: no prefix of a secret survives the cut") {
  kit::secrets().clear();
  const std::string token = "expo-robot-token-SECRET123";
  kit::secrets().add(token);
  for (size_t before : {0, 1, 90, 100, 110, 119}) {
    std::string text = std::string(before, 'x') + token + " and more";
    std::string shown = kit::redacted_excerpt(text, 120);
    CHECK(shown.find("expo-robot") == std::string::npos);
    CHECK(shown.find("SECRET") == std::string::npos);
  }
  CHECK(kit::redacted_excerpt("Thiès " + token, 120) == "Thiès ***");
  CHECK(kit::redacted_excerpt("no secret here", 4) == "no s…");
  kit::secrets().clear();
}
