#include <curl/curl.h>

#include <regex>

#include "health-gate/health_gate.hpp"
#include "kit/error.hpp"
#include "kit/log.hpp"
#include "kit/process.hpp"
#include "kit/secrets.hpp"

namespace health_gate {
namespace {

void check_url(const std::string& url) {
  CURLU* u = curl_url();
  CURLUcode rc = curl_url_set(u, CURLUPART_URL, url.c_str(), 0);
  char* scheme = nullptr;
  bool ok = rc == CURLUE_OK && curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK;
  std::string s = scheme ? scheme : "";
  curl_free(scheme);
  curl_url_cleanup(u);
  if (!ok || (s != "http" && s != "https"))
    throw kit::usage_error("--url: '" + kit::redact_url(url) + "' is not an http(s) URL");
}

// "Authorization: Bearer ${TOKEN}" -> header with the variable's value, registered as a secret.
std::pair<std::string, std::string> parse_header(const std::string& text, const kit::Env& env) {
  auto colon = text.find(':');
  if (colon == std::string::npos || colon == 0)
    throw kit::usage_error("--header: '" + text.substr(0, 40) + "' must look like 'Name: value'");
  std::string name = text.substr(0, colon);
  std::string value = text.substr(colon + 1);
  value.erase(0, value.find_first_not_of(" \t"));
  static const std::regex var(R"(\$\{([A-Za-z_][A-Za-z0-9_]*)\})");
  std::string expanded;
  auto begin = std::sregex_iterator(value.begin(), value.end(), var);
  size_t last = 0;
  for (auto it = begin; it != std::sregex_iterator(); ++it) {
    auto v = env.get((*it)[1].str());
    if (!v) throw kit::usage_error("--header " + name + ": environment variable " + (*it)[1].str() + " is not set");
    expanded += value.substr(last, it->position() - last) + *v;
    last = it->position() + it->length();
    kit::secrets().add(*v);
  }
  expanded += value.substr(last);
  // A line break would end the header early and smuggle in another (the secrets above are already
  // registered, so this message cannot show them).
  if (expanded.find_first_of("\r\n") != std::string::npos)
    throw kit::usage_error("--header " + name + ": the value contains a line break");
  // A credential header is secret as a whole, whether typed in or partly read from the
  // environment, and so is its credential after a scheme ("Bearer abc" -> "abc").
  if (kit::is_secret_header(name)) {
    kit::secrets().add(expanded);
    auto space = expanded.find(' ');
    auto credential = space == std::string::npos ? std::string::npos : expanded.find_first_not_of(' ', space);
    if (credential != std::string::npos) kit::secrets().add(expanded.substr(credential));
  }
  return {name, expanded};
}

double parse_rate(const std::string& text) {
  std::string t = text;
  bool pct = !t.empty() && t.back() == '%';
  if (pct) t.pop_back();
  size_t used = 0;
  double v = -1;
  try {
    v = std::stod(t, &used);
  } catch (...) {
    used = 0;
  }
  if (pct) v /= 100;
  if (t.empty() || used != t.size() || v < 0 || v > 1)
    throw kit::usage_error("--min-success-rate: '" + text + "' must be a share between 0 and 1, or a percentage like 99%");
  return v;
}

}  // namespace

Config plan(const kit::Args& args, const kit::Env& env) {
  Config c;
  c.urls = args.list("url");
  // The option parser already refuses a run without --url (it is declared required); this keeps
  // plan() safe for callers that build Args themselves.
  if (c.urls.empty()) throw kit::usage_error("missing --url (or INPUT_URL)");
  for (const auto& u : c.urls) {
    check_url(u);
    kit::learn_url_secret(u);
  }

  c.checks.status = StatusRanges::parse(args.str("expect-status"));
  for (const auto& e : args.list("expect-json")) c.checks.json.push_back(JsonExpectation::parse(e));
  if (auto re = args.opt("expect-body")) c.checks.body_pattern = BodyPattern::compile(*re);
  if (auto v = args.opt("expect-version")) c.checks.expected_version = *v;
  c.checks.version_from = VersionSource::parse(args.str("version-from"));
  c.checks.max_latency = args.opt_duration("max-latency");

  c.timing.interval = args.duration("interval");
  c.timing.deadline = args.duration("timeout");
  c.timing.request_timeout = args.duration("request-timeout");
  c.timing.initial_delay = args.duration("initial-delay");
  c.timing.successes = static_cast<int>(args.integer("successes", 1, 1000));
  c.timing.observe = args.opt_duration("observe");
  c.timing.min_success_rate = parse_rate(args.str("min-success-rate"));
  c.timing.max_p95_latency = args.opt_duration("max-p95-latency");
  // A zero interval would probe in a tight loop; zero timeouts and limits fail every probe.
  if (c.timing.interval.count() <= 0) throw kit::usage_error("--interval must be longer than 0s");
  if (c.timing.deadline.count() <= 0) throw kit::usage_error("--timeout must be longer than 0s");
  if (c.timing.request_timeout.count() <= 0) throw kit::usage_error("--request-timeout must be longer than 0s");
  if (c.checks.max_latency && c.checks.max_latency->count() <= 0) throw kit::usage_error("--max-latency must be longer than 0s");
  if (c.timing.observe && c.timing.observe->count() <= 0) throw kit::usage_error("--observe must be longer than 0s");
  if (c.timing.max_p95_latency && c.timing.max_p95_latency->count() <= 0)
    throw kit::usage_error("--max-p95-latency must be longer than 0s");
  if (c.timing.max_p95_latency && !c.timing.observe)
    throw kit::usage_error("--max-p95-latency needs --observe (it is judged over the observation window)");

  c.method = args.str("method");
  for (auto& ch : c.method) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  static const std::regex method_re("^[A-Z]{3,10}$");
  if (!std::regex_match(c.method, method_re)) throw kit::usage_error("--method: '" + args.str("method") + "' is not an HTTP method");
  for (const auto& h : args.list("header")) c.headers.push_back(parse_header(h, env));
  c.follow_redirects = args.flag("follow-redirects");
  c.tls.cacert = args.str("cacert");
  c.tls.insecure = args.flag("insecure");
  if (!c.tls.cacert.empty() && access(c.tls.cacert.c_str(), R_OK) != 0)
    throw kit::usage_error("--cacert: cannot read '" + c.tls.cacert + "'");

  if (auto cmd = args.opt("on-failure")) {
    c.hooks.on_failure = kit::split_command(*cmd);
    if (c.hooks.on_failure.empty()) throw kit::usage_error("--on-failure: empty command");
  }
  if (auto cmd = args.opt("on-success")) {
    c.hooks.on_success = kit::split_command(*cmd);
    if (c.hooks.on_success.empty()) throw kit::usage_error("--on-success: empty command");
  }
  c.hooks.timeout = args.duration("hook-timeout");
  if (c.hooks.timeout.count() <= 0) throw kit::usage_error("--hook-timeout must be longer than 0s");
  return c;
}

}  // namespace health_gate
