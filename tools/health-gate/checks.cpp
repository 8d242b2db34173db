#include "health-gate/checks.hpp"

#include <curl/curl.h>

#include <nlohmann/json.hpp>

#include "health-gate/terminus.hpp"
#include "kit/error.hpp"
#include "kit/http.hpp"
#include "kit/secrets.hpp"
#include "kit/text.hpp"
#include "kit/untrusted_json.hpp"

namespace health_gate {
namespace {

int parse_status_code(const std::string& text, const std::string& whole) {
  auto code = kit::parse_integer(text);
  if (!code || *code < 100 || *code > 599)
    throw kit::usage_error("--expect-status: '" + kit::quote_value(whole) + "' is not a list of status codes or ranges (e.g. 200-299,301)");
  return static_cast<int>(*code);
}

// Text from the response for a one-line detail: cut on a character boundary (a cut through "è"
// made the JSON writer throw), invalid bytes and control characters escaped, so the detail is
// valid UTF-8 on one line wherever it goes (logs, outputs, summary, HEALTH_GATE_REASON).
std::string quote_untrusted(std::string_view text, size_t max_chars = 120) {
  // Secrets out before the cut: a cut through a reflected token leaves a prefix nothing recognises.
  std::string clean = kit::secrets().may_redact(text) ? kit::secrets().redact(text) : std::string(text);
  text = clean;
  std::string s(kit::utf8_prefix(text, 4 * max_chars));
  for (char& c : s)
    if (c == '\n' || c == '\r') c = ' ';
  std::string cut = kit::truncate_text(s, max_chars);
  if (cut.size() == s.size() && s.size() < text.size()) cut += "…";
  return kit::escape_controls(cut);
}

std::string json_text(const nlohmann::json& j) {
  return j.is_string() ? j.get<std::string>() : kit::json_excerpt(j, 10'000);
}

std::string short_json(const nlohmann::json& j) { return quote_untrusted(json_text(j)); }

bool json_matches(const nlohmann::json& actual, const std::string& expected) {
  auto parsed = nlohmann::json::parse(expected, nullptr, false);
  if (!parsed.is_discarded()) {
    // Integers exactly: as doubles, 9007199254740993 equals 9007199254740992 (a build number, an
    // epoch in ns). A fraction on either side compares as a number (3.0 is 3).
    if (actual.is_number_integer() && parsed.is_number_integer()) return actual.dump() == parsed.dump();
    if (actual.is_number() && parsed.is_number()) return actual.get<double>() == parsed.get<double>();
    return actual == parsed;
  }
  // An unquoted word like ok is not JSON: it compares with a JSON string.
  return actual.is_string() && actual.get<std::string>() == expected;
}

}  // namespace

StatusRanges StatusRanges::parse(const std::string& text) {
  StatusRanges r;
  r.text = text;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    std::string part = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    part.erase(0, part.find_first_not_of(' '));
    part.erase(part.find_last_not_of(' ') + 1);
    size_t dash = part.find('-');
    int lo, hi;
    if (dash == std::string::npos) {
      lo = hi = parse_status_code(part, text);
    } else {
      lo = parse_status_code(part.substr(0, dash), text);
      hi = parse_status_code(part.substr(dash + 1), text);
      if (hi < lo) throw kit::usage_error("--expect-status: range '" + kit::quote_value(part) + "' is backwards");
    }
    r.ranges.emplace_back(lo, hi);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return r;
}

bool StatusRanges::contains(long status) const {
  for (auto [lo, hi] : ranges)
    if (status >= lo && status <= hi) return true;
  return false;
}

JsonExpectation JsonExpectation::parse(const std::string& text) {
  size_t eq = text.find('=');
  if (text.empty() || text[0] != '/' || eq == std::string::npos)
    throw kit::usage_error("--expect-json: '" + kit::quote_value(text) + "' must look like /json/pointer=value (e.g. /status=ok)");
  JsonExpectation e{text.substr(0, eq), text.substr(eq + 1)};
  if (!kit::is_json_pointer(e.pointer))
    throw kit::usage_error("--expect-json: '" + kit::quote_value(e.pointer) + "' is not a JSON Pointer ('~' must be written ~0, '/' inside a name ~1)");
  return e;
}

VersionSource VersionSource::parse(const std::string& text) {
  VersionSource v;
  if (text.rfind("json:", 0) == 0) {
    v.kind = json;
    v.where = text.substr(5);
    if (!kit::is_json_pointer(v.where))
      throw kit::usage_error("--version-from: '" + kit::quote_value(v.where) + "' is not a JSON Pointer (e.g. json:/version)");
  } else if (text.rfind("header:", 0) == 0 && text.size() > 7) {
    v.kind = header;
    v.where = text.substr(7);
  } else {
    throw kit::usage_error("--version-from: '" + kit::quote_value(text) + "' must be json:/pointer or header:NAME");
  }
  return v;
}

std::string VersionSource::describe() const { return kind == json ? "json:" + where : "header:" + where; }

std::string url_path(const std::string& url) {
  CURLU* u = curl_url();
  std::string out = url;
  if (curl_url_set(u, CURLUPART_URL, url.c_str(), 0) == CURLUE_OK) {
    char* path = nullptr;
    if (curl_url_get(u, CURLUPART_PATH, &path, 0) == CURLUE_OK && path) {
      out = path;
      curl_free(path);
    }
  }
  curl_url_cleanup(u);
  return out;
}

ProbeResult judge(const std::string& url, const kit::HttpResponse& response, const Checks& checks) {
  ProbeResult r;
  r.url = url;
  r.status = response.status;
  r.transport = response.error;
  r.latency = response.elapsed;
  r.http_version = response.http_version;
  std::string path = quote_untrusted(url_path(url), 200);
  if (!response.ok()) {
    r.status = 0;  // headers then a cut body are not an answer (0: none, as the outputs say)
    r.failure = Failure::transport;
    r.detail = std::string(kit::transport_error_name(response.error)) + " (" + path + "): " + quote_untrusted(response.error_message, 300);
    return r;
  }

  std::string not_json;
  auto body = kit::parse_untrusted_json(response.body, kit::kMaxJsonDepth, &not_json);
  bool is_json = !body.is_discarded();
  if (is_json) r.failing_indicators.clear();

  // The raw version is what is compared; what is shown is redacted and escaped (a version that
  // contains a secret's text, or a newline, must still match — and be seen as it is).
  std::optional<std::string> raw_version;
  std::string version_problem;
  if (checks.expected_version) {
    if (checks.version_from.kind == VersionSource::header) {
      if (auto h = response.header(checks.version_from.where)) raw_version = *h;
    } else if (is_json) {
      if (auto* v = kit::find_pointer(body, checks.version_from.where)) {
        raw_version = json_text(*v);
        // A JSON number is parsed to a double: 1.10 and 1.1 are the same number, not the same release.
        if (v->is_number_float())
          version_problem = "; the version is a JSON number (" + *raw_version + " as parsed), compared as text it is "
                            "ambiguous: serve it as a string";
      }
    }
    if (raw_version) {
      r.version = kit::quote_value(kit::secrets().redact(*raw_version), 200);
      r.version_matched = version_problem.empty() && *raw_version == *checks.expected_version;
    }
  }

  if (!checks.status.contains(response.status)) {
    r.failure = Failure::status;
    r.detail = std::to_string(response.status) + " from " + path;
    if (is_json) {
      auto failures = terminus_failures(body);
      for (const auto& f : failures) r.failing_indicators.push_back(f.indicator);
      if (!failures.empty()) r.detail += ": " + describe_terminus_failures(failures);
      else if (body.is_object() && body.contains("message")) r.detail += ": " + short_json(body["message"]);
    } else if (!response.body.empty()) {
      r.detail += ": " + quote_untrusted(response.body);
    }
    return r;
  }

  if (!checks.json.empty() && !is_json) {
    r.failure = Failure::json;
    r.detail = path + " did not answer JSON" +
               (response.truncated ? " (body larger than the limit)" : not_json == "not JSON" ? "" : " (" + not_json + ")") + ": " +
               quote_untrusted(response.body);
    return r;
  }
  for (const auto& e : checks.json) {
    const nlohmann::json* actual = kit::find_pointer(body, e.pointer);
    if (!actual) {
      r.failure = Failure::json;
      r.detail = path + ": " + e.pointer + " is missing, expected " + e.expected;
      return r;
    }
    if (!json_matches(*actual, e.expected)) {
      r.failure = Failure::json;
      r.detail = path + ": " + e.pointer + " is " + quote_untrusted(actual->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)) + ", expected " + e.expected;
      auto failures = terminus_failures(body);
      for (const auto& f : failures) r.failing_indicators.push_back(f.indicator);
      if (!failures.empty()) r.detail += " (" + describe_terminus_failures(failures) + ")";
      return r;
    }
  }

  if (checks.body_pattern) {
    auto m = checks.body_pattern->search(response.body);
    if (m.outcome != BodyPattern::Outcome::match) {
      r.failure = Failure::body;
      r.detail = m.outcome == BodyPattern::Outcome::no_match
                     ? path + ": body does not match /" + checks.body_pattern->text() + "/"
                     : path + ": could not match /" + checks.body_pattern->text() + "/ against the body: " + m.problem;
      return r;
    }
  }

  if (checks.expected_version) {
    if (!r.version) {
      r.failure = Failure::version;
      r.detail = path + ": no version at " + checks.version_from.describe() + ", expected " + *checks.expected_version;
      return r;
    }
    if (!r.version_matched) {
      r.failure = Failure::version;
      r.detail = *r.version + " answered, expected " + kit::quote_value(*checks.expected_version, 200) + version_problem;
      return r;
    }
  }

  if (checks.max_latency && response.elapsed > *checks.max_latency) {
    r.failure = Failure::latency;
    r.detail = path + " answered in " + kit::format_duration(response.elapsed) + ", slower than " +
               kit::format_duration(*checks.max_latency);
    return r;
  }
  return r;
}

}  // namespace health_gate
