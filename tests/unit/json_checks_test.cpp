#include <doctest/doctest.h>

#include "kit/secrets.hpp"

#include <nlohmann/json.hpp>

#include "health-gate/checks.hpp"
#include "health-gate/terminus.hpp"
#include "kit/error.hpp"
#include "kit/text.hpp"

using namespace health_gate;

namespace {
kit::HttpResponse answer(long status, std::string body) {
  kit::HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.elapsed = kit::Millis(12);
  return r;
}
bool kit_valid(const std::string& text) { return kit::valid_utf8(text) == text; }
}  // namespace

TEST_CASE("status ranges") {
  auto r = StatusRanges::parse("200-299, 301");
  CHECK(r.contains(204));
  CHECK(r.contains(301));
  CHECK_FALSE(r.contains(302));
  CHECK_THROWS_AS(StatusRanges::parse("2xx"), kit::Error);
  CHECK_THROWS_AS(StatusRanges::parse("299-200"), kit::Error);
  CHECK_THROWS_AS(StatusRanges::parse("700"), kit::Error);
}

TEST_CASE("JSON pointer expectations compare typed values") {
  Checks c;
  c.json = {JsonExpectation::parse("/status=ok"), JsonExpectation::parse("/replicas=3"), JsonExpectation::parse("/ready=true")};
  CHECK(judge("http://h/health", answer(200, R"({"status":"ok","replicas":3.0,"ready":true})"), c).healthy());
  auto r = judge("http://h/health", answer(200, R"({"status":"ok","replicas":"3","ready":true})"), c);
  CHECK(r.failure == Failure::json);
  CHECK(r.detail == R"(/health: /replicas is "3", expected 3)");
  auto missing = judge("http://h/health", answer(200, R"({"status":"ok"})"), c);
  CHECK(missing.detail == "/health: /replicas is missing, expected 3");
  CHECK_THROWS_AS(JsonExpectation::parse("status=ok"), kit::Error);
  CHECK_THROWS_AS(JsonExpectation::parse("/a~2=1"), kit::Error);
}

TEST_CASE("JSON integers beyond 2^53 compare exactly, not as doubles") {
  Checks c;
  c.json = {JsonExpectation::parse("/build=9007199254740993")};
  CHECK(judge("http://h/health", answer(200, R"({"build":9007199254740993})"), c).healthy());
  CHECK(judge("http://h/health", answer(200, R"({"build":9007199254740992})"), c).failure == Failure::json);
  c.json = {JsonExpectation::parse("/id=18446744073709551615")};
  CHECK(judge("http://h/health", answer(200, R"({"id":18446744073709551615})"), c).healthy());
  CHECK(judge("http://h/health", answer(200, R"({"id":-1})"), c).failure == Failure::json);
}

TEST_CASE("Terminus bodies name the failing indicator") {
  Checks c;
  std::string body = R"({"status":"error","info":{"memory":{"status":"up"}},"error":{"database":{"status":"down","message":"connect ECONNREFUSED"}},"details":{}})";
  auto r = judge("http://h:3000/health", answer(503, body), c);
  CHECK(r.failure == Failure::status);
  CHECK(r.detail == "503 from /health: database is down (connect ECONNREFUSED)");
  CHECK(r.failing_indicators == std::vector<std::string>{"database"});
}

TEST_CASE("version from JSON or header") {
  Checks c;
  c.expected_version = "1.5.0";
  c.version_from = VersionSource::parse("json:/info/version");
  auto old = judge("http://h/health", answer(200, R"({"info":{"version":"1.4.1"}})"), c);
  CHECK(old.failure == Failure::version);
  CHECK(old.detail == "1.4.1 answered, expected 1.5.0");
  CHECK(judge("http://h/health", answer(200, R"({"info":{"version":"1.5.0"}})"), c).healthy());
  c.version_from = VersionSource::parse("header:X-App-Version");
  auto resp = answer(200, "ok");
  resp.headers = {{"x-app-version", "1.5.0"}};
  CHECK(judge("http://h/health", resp, c).healthy());
  CHECK_THROWS_AS(VersionSource::parse("body:/v"), kit::Error);
}

TEST_CASE("version: compared raw, shown redacted and escaped; a fractional JSON number never matches") {
  kit::secrets().clear();
  kit::secrets().add("1.5.0-deploy");  // a ${VAR} header value that is also the version
  Checks c;
  c.expected_version = "1.5.0-deploy";
  c.version_from = VersionSource::parse("json:/version");
  auto r = judge("http://h/health", answer(200, R"({"version":"1.5.0-deploy"})"), c);
  CHECK(r.healthy());
  CHECK(r.version_matched);
  CHECK(r.version->find("1.5.0-deploy") == std::string::npos);  // shown redacted
  kit::secrets().clear();

  c.expected_version = "1.5.0";
  auto nl = judge("http://h/health", answer(200, R"({"version":"1.5.0\n"})"), c);
  CHECK(nl.failure == Failure::version);
  CHECK(nl.detail.find("1.5.0\\n answered") != std::string::npos);  // the newline is visible

  c.expected_version = "1.10";
  auto number = judge("http://h/health", answer(200, R"({"version":1.10})"), c);
  CHECK(number.failure == Failure::version);
  CHECK(number.detail.find("serve it as a string") != std::string::npos);
  c.expected_version = "1.1";
  CHECK_FALSE(judge("http://h/health", answer(200, R"({"version":1.10})"), c).healthy());
  c.expected_version = "42";
  CHECK(judge("http://h/health", answer(200, R"({"version":42})"), c).healthy());
}

TEST_CASE("latency and body checks") {
  Checks c;
  c.max_latency = kit::Millis(10);
  auto r = judge("http://h/health", answer(200, "OK"), c);
  CHECK(r.failure == Failure::latency);
  c.max_latency.reset();
  c.body_pattern = BodyPattern::compile("^O");
  CHECK(judge("http://h/health", answer(200, "OK"), c).healthy());
  CHECK(judge("http://h/health", answer(200, "NO"), c).failure == Failure::body);
}

TEST_CASE("body pattern: compiled once, bad patterns are usage errors with PCRE2's message and offset") {
  try {
    BodyPattern::compile("ok(unclosed");
    FAIL("no error");
  } catch (const kit::Error& e) {
    CHECK(e.code() == kit::Exit::usage);
    std::string what = e.what();
    CHECK(what.find("--expect-body: 'ok(unclosed' is not a valid regular expression: missing closing parenthesis") == 0);
    CHECK(what.find("at offset 11") != std::string::npos);
  }
}

TEST_CASE("body pattern: a 1 MiB body does not exhaust the stack") {
  // std::regex recursed once per character here and crashed.
  std::string body(1 << 20, 'x');
  Checks c;
  c.body_pattern = BodyPattern::compile("^x+$");
  CHECK(judge("http://h/health", answer(200, body), c).healthy());
  // An alternation needs a backtracking frame per character: the heap limit stops it cleanly.
  c.body_pattern = BodyPattern::compile("^(?:x|y)+$");
  auto r = judge("http://h/health", answer(200, body), c);
  CHECK(r.failure == Failure::body);
  CHECK(r.detail.find("could not match /^(?:x|y)+$/ against the body: the pattern needed more than 16 MiB") != std::string::npos);
  c.body_pattern = BodyPattern::compile("^[xy]+$");  // the same check, written to need no backtracking
  CHECK(judge("http://h/health", answer(200, body), c).healthy());
  body.back() = 'y';
  c.body_pattern = BodyPattern::compile("^x+$");
  CHECK(judge("http://h/health", answer(200, body), c).failure == Failure::body);
}

TEST_CASE("body pattern: catastrophic backtracking gives up with a reason instead of hanging") {
  Checks c;
  c.body_pattern = BodyPattern::compile("^(x+x+)+$");
  auto r = judge("http://h/health", answer(200, std::string(40, 'x') + "!"), c);
  CHECK(r.failure == Failure::body);
  CHECK(r.detail.find("match limit") != std::string::npos);
}

TEST_CASE("body pattern: UTF-8 aware, and a body that is not UTF-8 is still searched") {
  auto p = BodyPattern::compile("^caf.$");
  CHECK(p.search("caf\xc3\xa9").outcome == BodyPattern::Outcome::match);
  auto q = BodyPattern::compile("ready");
  CHECK(q.search(std::string("\xff\xfe ready \xc3", 10)).outcome == BodyPattern::Outcome::match);
}

TEST_CASE("transport errors") {
  Checks c;
  kit::HttpResponse r;
  r.error = kit::TransportError::connect;
  r.error_message = "Failed to connect";
  auto p = judge("http://127.0.0.1:1/health", r, c);
  CHECK(p.failure == Failure::transport);
  CHECK(p.detail.rfind("connection refused (/health)", 0) == 0);
}

TEST_CASE("hostile bodies are judged, never thrown: UTF-8 cut, invalid bytes, deep nesting, huge indexes") {
  Checks c;
  // A French message cut by the 120-character limit right inside "é": the detail stays valid UTF-8.
  std::string french = std::string(119, 'x') + "é base de données indisponible à Thiès";
  auto r = judge("http://h/health", answer(503, french), c);
  CHECK(r.failure == Failure::status);
  CHECK(kit_valid(r.detail));
  CHECK(r.detail.find("xé…") != std::string::npos);  // 120 characters, the 120th whole
  CHECK_NOTHROW((void)nlohmann::json(r.detail).dump());
  // Terminus messages in French and Chinese, with an injected workflow command.
  std::string terminus = R"({"status":"error","error":{"数据库":{"status":"down","message":"base de données indisponible\n::error::pwned"}}})";
  r = judge("http://h/health", answer(503, terminus), c);
  CHECK(r.detail == "503 from /health: 数据库 is down (base de données indisponible ::error::pwned)");
  // Invalid UTF-8 (Latin-1 "é"), NUL and ESC in a plain body.
  r = judge("http://h/health", answer(503, std::string("donn\xe9" "es \0\x1b[2J", 13)), c);
  CHECK(r.detail == "503 from /health: donn\\xe9es \\x00\\x1b[2J");
  CHECK_NOTHROW((void)nlohmann::json(r.detail).dump());
  // 1 MiB of nesting under "message" (dump() recursed once per level and overflowed the stack).
  std::string deep = R"({"message":)" + std::string(1 << 19, '[') + std::string(1 << 19, ']') + "}";
  r = judge("http://h/health", answer(503, deep), c);
  CHECK(r.failure == Failure::status);
  Checks wants_json;
  wants_json.json = {JsonExpectation::parse("/status=ok")};
  r = judge("http://h/health", answer(200, deep), wants_json);
  CHECK(r.failure == Failure::json);
  CHECK(r.detail.find("nested deeper than 64 levels") != std::string::npos);
  // A pointer index beyond SIZE_MAX is a missing value, not an exception.
  Checks index;
  index.json = {JsonExpectation::parse("/items/99999999999999999999999=1")};
  r = judge("http://h/health", answer(200, R"({"items":[1]})"), index);
  CHECK(r.failure == Failure::json);
  CHECK(r.detail == "/health: /items/99999999999999999999999 is missing, expected 1");
  Checks version;
  version.expected_version = "1.5.0";
  version.version_from = VersionSource::parse("json:/v/18446744073709551616");
  CHECK(judge("http://h/health", answer(200, R"({"v":["1.5.0"]})"), version).failure == Failure::version);
}
