#pragma once
// What a healthy answer looks like, and the judgement of one response against it.
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kit/duration.hpp"
#include "kit/http.hpp"

namespace health_gate {

// "200-299,301" -> ranges. Throws kit::Error(usage) on bad text.
struct StatusRanges {
  std::vector<std::pair<int, int>> ranges;
  static StatusRanges parse(const std::string& text);
  bool contains(long status) const;
  std::string text;
};

// "/status=ok", "/info/db/status=\"up\"", "/replicas=3": a JSON Pointer and the value it must hold.
// The value is compared as JSON when it parses as JSON (3 == 3.0, true, null), else as a string.
struct JsonExpectation {
  std::string pointer;
  std::string expected;  // as written
  static JsonExpectation parse(const std::string& text);
};

// Where the served version is read from: a JSON Pointer in the body or a response header.
struct VersionSource {
  enum Kind { json, header } kind = json;
  std::string where = "/version";
  static VersionSource parse(const std::string& text);
  std::string describe() const;
};

// --expect-body: a PCRE2 pattern, compiled once when the plan is made and matched with bounded
// work and memory. (std::regex recursed once per character and crashed on large bodies.)
class BodyPattern {
 public:
  // Throws kit::Error(usage) with PCRE2's message and the offset in the pattern.
  static BodyPattern compile(const std::string& pattern);

  enum class Outcome { match, no_match, gave_up };
  struct Result {
    Outcome outcome = Outcome::no_match;
    std::string problem;  // when gave_up: which limit was hit
  };
  Result search(std::string_view body) const;
  const std::string& text() const { return text_; }

 private:
  struct Compiled;
  std::shared_ptr<const Compiled> compiled_;
  std::string text_;
};

struct Checks {
  StatusRanges status = StatusRanges::parse("200-299");
  std::vector<JsonExpectation> json;
  std::optional<BodyPattern> body_pattern;
  std::optional<std::string> expected_version;
  VersionSource version_from;
  std::optional<kit::Millis> max_latency;
};

enum class Failure { none, transport, status, json, body, version, latency };

// The judgement of one probe.
struct ProbeResult {
  std::string url;
  long status = 0;
  kit::TransportError transport = kit::TransportError::none;
  kit::Millis latency{0};
  std::string http_version;  // "1.1", "2" (negotiated over TLS where the server offers it); "" without an answer
  Failure failure = Failure::none;
  std::string detail;                  // one line: why this probe failed
  std::optional<std::string> version;  // the version the service answered with, if read, as shown (redacted, escaped)
  bool version_matched = false;        // the raw version equals --expect-version
  std::vector<std::string> failing_indicators;  // from a NestJS Terminus body
  bool healthy() const { return failure == Failure::none; }
};

ProbeResult judge(const std::string& url, const kit::HttpResponse& response, const Checks& checks);

// "/health" from "http://host:8080/health?x=1", for short messages.
std::string url_path(const std::string& url);

}  // namespace health_gate
