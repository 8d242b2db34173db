#include "health-gate/checks.hpp"

#include <curl/curl.h>

#include <nlohmann/json.hpp>

#include "health-gate/terminus.hpp"
#include "kit/error.hpp"

namespace health_gate {
namespace {

int parse_status_code(const std::string& text, const std::string& whole) {
  size_t used = 0;
  int code = 0;
  try {
    code = std::stoi(text, &used);
  } catch (...) {
    used = 0;
  }
  if (text.empty() || used != text.size() || code < 100 || code > 599)
    throw kit::usage_error("--expect-status: '" + whole + "' is not a list of status codes or ranges (e.g. 200-299,301)");
  return code;
}

std::string short_body(const std::string& body) {
  std::string s = body.substr(0, 120);
  for (char& c : s)
    if (c == '\n' || c == '\r') c = ' ';
  return s + (body.size() > 120 ? "…" : "");
}

std::string json_text(const nlohmann::json& j) {
  return j.is_string() ? j.get<std::string>() : j.dump();
}

bool json_matches(const nlohmann::json& actual, const std::string& expected) {
  auto parsed = nlohmann::json::parse(expected, nullptr, false);
  if (!parsed.is_discarded()) {
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
      if (hi < lo) throw kit::usage_error("--expect-status: range '" + part + "' is backwards");
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
    throw kit::usage_error("--expect-json: '" + text + "' must look like /json/pointer=value (e.g. /status=ok)");
  JsonExpectation e{text.substr(0, eq), text.substr(eq + 1)};
  try {
    nlohmann::json::json_pointer check(e.pointer);
  } catch (const std::exception& ex) {
    throw kit::usage_error("--expect-json: '" + e.pointer + "' is not a JSON Pointer (" + ex.what() + ")");
  }
  return e;
}

VersionSource VersionSource::parse(const std::string& text) {
  VersionSource v;
  if (text.rfind("json:", 0) == 0) {
    v.kind = json;
    v.where = text.substr(5);
    try {
      nlohmann::json::json_pointer check(v.where);
    } catch (...) {
      throw kit::usage_error("--version-from: '" + v.where + "' is not a JSON Pointer (e.g. json:/version)");
    }
  } else if (text.rfind("header:", 0) == 0 && text.size() > 7) {
    v.kind = header;
    v.where = text.substr(7);
  } else {
    throw kit::usage_error("--version-from: '" + text + "' must be json:/pointer or header:NAME");
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
  std::string path = url_path(url);
  if (!response.ok()) {
    r.failure = Failure::transport;
    r.detail = std::string(kit::transport_error_name(response.error)) + " (" + path + "): " + response.error_message;
    return r;
  }

  auto body = nlohmann::json::parse(response.body, nullptr, false);
  bool is_json = !body.is_discarded();
  if (is_json) r.failing_indicators.clear();

  if (checks.expected_version) {
    if (checks.version_from.kind == VersionSource::header) {
      if (auto h = response.header(checks.version_from.where)) r.version = *h;
    } else if (is_json) {
      nlohmann::json::json_pointer ptr(checks.version_from.where);
      if (body.contains(ptr)) r.version = json_text(body[ptr]);
    }
  }

  if (!checks.status.contains(response.status)) {
    r.failure = Failure::status;
    r.detail = std::to_string(response.status) + " from " + path;
    if (is_json) {
      auto failures = terminus_failures(body);
      for (const auto& f : failures) r.failing_indicators.push_back(f.indicator);
      if (!failures.empty()) r.detail += ": " + describe_terminus_failures(failures);
      else if (body.is_object() && body.contains("message")) r.detail += ": " + json_text(body["message"]);
    } else if (!response.body.empty()) {
      r.detail += ": " + short_body(response.body);
    }
    return r;
  }

  if (!checks.json.empty() && !is_json) {
    r.failure = Failure::json;
    r.detail = path + " did not answer JSON" + (response.truncated ? " (body larger than the limit)" : "") + ": " +
               short_body(response.body);
    return r;
  }
  for (const auto& e : checks.json) {
    nlohmann::json::json_pointer ptr(e.pointer);
    if (!body.contains(ptr)) {
      r.failure = Failure::json;
      r.detail = path + ": " + e.pointer + " is missing, expected " + e.expected;
      return r;
    }
    if (!json_matches(body[ptr], e.expected)) {
      r.failure = Failure::json;
      r.detail = path + ": " + e.pointer + " is " + body[ptr].dump() + ", expected " + e.expected;
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
    if (*r.version != *checks.expected_version) {
      r.failure = Failure::version;
      r.detail = *r.version + " answered, expected " + *checks.expected_version;
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
