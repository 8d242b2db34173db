#include <unistd.h>

#include "health-gate/health_gate.hpp"
#include "kit/error.hpp"
#include "kit/log.hpp"
#include "kit/process.hpp"
#include "kit/http.hpp"
#include "kit/secrets.hpp"
#include "kit/text.hpp"

namespace health_gate {
namespace {

// "Authorization: Bearer ${TOKEN}" -> the header with the variable's value. The value of a header
// that names a variable, or whose name says credential (kit::is_secret_header), is a kit::Secret:
// redacted everywhere and never sent to another origin on a redirect.
struct ParsedHeader {
  std::string name, value;
  bool secret = false;
};

ParsedHeader parse_header(const std::string& text, size_t index, const kit::Env& env) {
  auto colon = text.find(':');
  std::string name = colon == std::string::npos ? "" : kit::trim(text.substr(0, colon));
  bool token_name = !name.empty() && name.find_first_of(" \t\r\n()<>@,;\\\"/[]?={}") == std::string::npos;
  if (colon == std::string::npos || !token_name) {
    // Not shown: an entry without its colon ("X-Api-Key abc123") is likely a secret typed wrong.
    kit::Secret{text};
    throw kit::usage_error("--header #" + std::to_string(index) + " must look like 'Name: value' (the entry is not shown: it may hold a secret)");
  }
  std::string value = kit::trim(text.substr(colon + 1));
  // ${NAME} expansion, read left to right (no regex: a header value may be long).
  std::string expanded;
  bool from_env = false;
  for (size_t i = 0; i < value.size();) {
    size_t open = value.find("${", i);
    if (open == std::string::npos) {
      expanded.append(value, i, std::string::npos);
      break;
    }
    size_t close = value.find('}', open + 2);
    std::string var = close == std::string::npos ? "" : value.substr(open + 2, close - open - 2);
    bool valid = !var.empty() && !(var[0] >= '0' && var[0] <= '9') &&
                 var.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") == std::string::npos;
    if (!valid) {
      expanded.append(value, i, open + 2 - i);
      i = open + 2;
      continue;
    }
    auto v = env.get(var);
    if (!v) throw kit::usage_error("--header " + name + ": environment variable " + var + " is not set");
    kit::Secret{*v};
    expanded.append(value, i, open - i);
    expanded += *v;
    from_env = true;
    i = close + 1;
  }
  bool secret = from_env || kit::is_secret_header(name);
  // A credential header is secret as a whole, and so is its credential after a scheme
  // ("Bearer abc" -> "abc"). Registered before any message below can show it.
  if (secret) {
    kit::Secret{expanded};
    auto space = expanded.find(' ');
    auto credential = space == std::string::npos ? std::string::npos : expanded.find_first_not_of(' ', space);
    if (credential != std::string::npos) kit::Secret{expanded.substr(credential)};
  }
  // A line break would end the header early and smuggle in another.
  if (expanded.find_first_of("\r\n") != std::string::npos)
    throw kit::usage_error("--header " + name + ": the value contains a line break");
  return {name, expanded, secret};
}

double parse_rate(const std::string& text) {
  std::string t = text;
  bool pct = !t.empty() && t.back() == '%';
  if (pct) t.pop_back();
  auto v = kit::parse_number(t);  // finite decimals only: "nan" and "inf" are refused
  if (v && pct) *v /= 100;
  if (!v || *v < 0 || *v > 1)
    throw kit::usage_error("--min-success-rate: '" + kit::quote_value(text, 40) +
                           "' must be a share between 0 and 1, or a percentage like 99%");
  return *v;
}

bool is_http_method(const std::string& m) {
  if (m.size() < 3 || m.size() > 10) return false;
  for (char c : m)
    if (c < 'A' || c > 'Z') return false;
  return true;
}

}  // namespace

Config plan(const kit::Args& args, const kit::Env& env) {
  Config c;
  c.urls = args.list("url");
  // The option parser already refuses a run without --url (it is declared required); this keeps
  // plan() safe for callers that build Args themselves.
  if (c.urls.empty()) throw kit::usage_error("missing --url (or INPUT_URL)");
  for (const auto& u : c.urls) {
    kit::learn_url_secret(u);  // first: the message below must not show a ?token=
    if (!kit::is_http_url(u))
      throw kit::usage_error("--url: '" + kit::quote_value(kit::redact_url(u), 80) + "' is not an http(s) URL");
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
  // The deadline counts from the start, delay included: a delay that reaches it gives no probe at
  // all, and "not healthy" would roll back a deploy nobody looked at.
  if (c.timing.initial_delay >= c.timing.deadline)
    throw kit::usage_error("--initial-delay " + kit::format_duration(c.timing.initial_delay) + " is not shorter than --timeout " +
                           kit::format_duration(c.timing.deadline) + ": the gate would end before its first probe (the timeout counts the delay)");
  // N healthy rounds in a row need (N - 1) intervals after the first probe: a combination that
  // cannot fit in the timeout fails every deploy, and --on-failure rolls each one back.
  if (c.timing.successes > 1 &&
      c.timing.initial_delay + c.timing.interval * (c.timing.successes - 1) >= c.timing.deadline)
    throw kit::usage_error("--successes " + std::to_string(c.timing.successes) + " needs " +
                           std::to_string(c.timing.successes - 1) + " × --interval " + kit::format_duration(c.timing.interval) +
                           " after the first probe" +
                           (c.timing.initial_delay.count() > 0 ? " (and --initial-delay " + kit::format_duration(c.timing.initial_delay) + ")" : "") +
                           ", which does not fit in --timeout " + kit::format_duration(c.timing.deadline) +
                           ": no deploy could pass; lower --successes or --interval, or raise --timeout");
  if (c.timing.interval >= c.timing.deadline)
    c.warnings.push_back("--interval " + kit::format_duration(c.timing.interval) + " is not shorter than --timeout " +
                         kit::format_duration(c.timing.deadline) + ": the service gets one probe only; use a shorter --interval");

  c.method = kit::upper(args.str("method"));
  if (!is_http_method(c.method))
    throw kit::usage_error("--method: '" + kit::quote_value(args.str("method"), 20) + "' is not an HTTP method");
  size_t index = 0;
  for (const auto& h : args.list("header")) {
    auto header = parse_header(h, ++index, env);
    if (header.secret) c.secret_headers.push_back(header.name);
    c.headers.emplace_back(header.name, header.value);
  }
  c.follow_redirects = args.flag("follow-redirects");
  c.tls.cacert = args.str("cacert");
  c.tls.insecure = args.flag("insecure");
  if (!c.tls.cacert.empty() && access(c.tls.cacert.c_str(), R_OK) != 0)
    throw kit::usage_error("--cacert: cannot read '" + kit::quote_value(c.tls.cacert, 80) + "'");

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
