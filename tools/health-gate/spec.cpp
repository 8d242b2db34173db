#include "health-gate/health_gate.hpp"

namespace health_gate {

using kit::OptionKind;

const kit::ToolSpec& spec() {
  static const kit::ToolSpec s{
      "health-gate",
      "after a deploy, probe health endpoints until healthy; on failure run the rollback",
      {},
      {{"",
        "",
        {
            {"url", "health endpoint to probe; every URL must be healthy in a round", "", OptionKind::list, "URL",
             /*secret=*/false, /*required=*/true},
            {"expect-status", "accepted status codes and ranges", "200-299", OptionKind::value, "CODES"},
            {"expect-json", "JSON Pointer that must hold a value, e.g. /status=ok (typed when the value is JSON)", "",
             OptionKind::list, "/PTR=VALUE"},
            {"expect-body", "PCRE2 (Perl-compatible) regular expression the body must match, anywhere in it", "",
             OptionKind::value, "REGEX"},
            {"expect-version", "version the service must report (old instances answering do not count)", "",
             OptionKind::value, "VERSION"},
            {"version-from", "where the version is read: json:/pointer or header:NAME", "json:/version",
             OptionKind::value, "SOURCE"},
            {"max-latency", "a probe slower than this fails", "", OptionKind::value, "DURATION"},
            {"interval", "time between probe rounds", "5s", OptionKind::value, "DURATION"},
            {"timeout", "overall deadline for turning healthy", "5m", OptionKind::value, "DURATION"},
            {"request-timeout", "deadline of one request", "10s", OptionKind::value, "DURATION"},
            {"initial-delay", "wait before the first probe", "0s", OptionKind::value, "DURATION"},
            {"successes", "consecutive healthy rounds required", "1", OptionKind::value, "N"},
            {"observe", "after turning healthy, keep probing this long (canary analysis)", "", OptionKind::value,
             "DURATION"},
            {"min-success-rate", "share of healthy probes required while observing (0-1 or %)", "0.95",
             OptionKind::value, "RATE"},
            {"max-p95-latency", "p95 latency allowed while observing", "", OptionKind::value, "DURATION"},
            {"method", "HTTP method", "GET", OptionKind::value, "METHOD"},
            {"header", "request header 'Name: value'; ${VAR} in the value is read from the environment (kept secret)",
             "", OptionKind::list, "HEADER"},
            {"follow-redirects", "follow redirects (off: a redirect is judged as its status)", "", OptionKind::flag},
            {"cacert", "CA bundle to verify TLS with (else SSL_CERT_FILE / SSL_CERT_DIR)", "", OptionKind::value, "FILE"},
            {"insecure", "do not verify TLS certificates (loud warning; never in production)", "", OptionKind::flag},
            {"on-failure", "command to run when the gate fails (the rollback); no shell: use sh -c '...' for one", "",
             OptionKind::value, "COMMAND"},
            {"on-success", "command to run when the gate passes", "", OptionKind::value, "COMMAND"},
            {"hook-timeout", "deadline for --on-failure / --on-success", "10m", OptionKind::value, "DURATION"},
        },
        run}},
      R"(  health-gate --url https://api.example.com/health --expect-json /status=ok
  health-gate --url http://127.0.0.1:3000/health --expect-version 1.5.0 --version-from json:/info/version/version \
      --successes 3 --interval 2s --timeout 2m --on-failure "./rollback.sh api"
  health-gate --url https://api.example.com/health --observe 1m --min-success-rate 99% --max-p95-latency 300ms
  API_TOKEN=... health-gate --url https://api.example.com/health --header 'Authorization: Bearer ${API_TOKEN}'
)"};
  return s;
}

}  // namespace health_gate
