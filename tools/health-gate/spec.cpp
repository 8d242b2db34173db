#include "health-gate/health_gate.hpp"

namespace health_gate {

using kit::OptionKind;
using kit::ValueType;

const kit::ToolSpec& spec() {
  static const kit::ToolSpec s{
      .name = "health-gate",
      .summary = "after a deploy, probe health endpoints until healthy; on failure run the rollback",
      .commands = {{
          .options =
              {
                  {.name = "url", .help = "health endpoint to probe; every URL must be healthy in a round",
                   .kind = OptionKind::list, .metavar = "URL", .required = true},
                  {.name = "expect-status", .help = "accepted status codes and ranges", .default_value = "200-299",
                   .metavar = "CODES"},
                  {.name = "expect-json",
                   .help = "JSON Pointer that must hold a value, e.g. /status=ok (typed when the value is JSON)",
                   .kind = OptionKind::list, .metavar = "/PTR=VALUE"},
                  {.name = "expect-body", .help = "PCRE2 (Perl-compatible) regular expression the body must match, anywhere in it",
                   .metavar = "REGEX"},
                  {.name = "expect-version", .help = "version the service must report (old instances answering do not count)",
                   .metavar = "VERSION"},
                  {.name = "version-from", .help = "where the version is read: json:/pointer or header:NAME",
                   .default_value = "json:/version", .metavar = "SOURCE"},
                  {.name = "max-latency", .help = "a probe slower than this fails", .metavar = "DURATION",
                   .type = ValueType::duration},
                  {.name = "interval", .help = "time between probe rounds", .default_value = "5s", .metavar = "DURATION",
                   .type = ValueType::duration},
                  {.name = "timeout", .help = "overall deadline for turning healthy", .default_value = "5m",
                   .metavar = "DURATION", .type = ValueType::duration},
                  {.name = "request-timeout", .help = "deadline of one request", .default_value = "10s",
                   .metavar = "DURATION", .type = ValueType::duration},
                  {.name = "initial-delay", .help = "wait before the first probe (shorter than --timeout, which counts it)", .default_value = "0s",
                   .metavar = "DURATION", .type = ValueType::duration},
                  {.name = "successes", .help = "consecutive healthy rounds required", .default_value = "1",
                   .metavar = "N", .type = ValueType::integer},
                  {.name = "observe", .help = "after turning healthy, keep probing this long (canary analysis)",
                   .metavar = "DURATION", .type = ValueType::duration},
                  {.name = "min-success-rate", .help = "share of healthy probes required while observing (0-1 or %)",
                   .default_value = "0.95", .metavar = "RATE"},
                  {.name = "max-p95-latency", .help = "p95 latency allowed while observing", .metavar = "DURATION",
                   .type = ValueType::duration},
                  {.name = "method", .help = "HTTP method", .default_value = "GET", .metavar = "METHOD"},
                  {.name = "header",
                   .help = "request header 'Name: value'; ${VAR} in the value is read from the environment (kept secret)",
                   .kind = OptionKind::list, .metavar = "HEADER"},
                  {.name = "follow-redirects", .help = "follow redirects (off: a redirect is judged as its status)",
                   .kind = OptionKind::flag},
                  {.name = "cacert", .help = "CA bundle to verify TLS with (else SSL_CERT_FILE / SSL_CERT_DIR)",
                   .metavar = "FILE"},
                  {.name = "insecure", .help = "do not verify TLS certificates (loud warning; never in production)",
                   .kind = OptionKind::flag},
                  {.name = "on-failure",
                   .help = "command to run when the gate fails (the rollback); no shell: use sh -c '...' for one",
                   .metavar = "COMMAND"},
                  {.name = "on-success", .help = "command to run when the gate passes", .metavar = "COMMAND"},
                  {.name = "hook-timeout", .help = "deadline for --on-failure / --on-success", .default_value = "10m",
                   .metavar = "DURATION", .type = ValueType::duration},
              },
          .run = run,
      }},
      .examples = R"(  health-gate --url https://api.example.com/health --expect-json /status=ok
  health-gate --url http://127.0.0.1:3000/health --expect-version 1.5.0 --version-from json:/info/version/version \
      --successes 3 --interval 2s --timeout 2m --on-failure "./rollback.sh api"
  health-gate --url https://api.example.com/health --observe 1m --min-success-rate 99% --max-p95-latency 300ms
  API_TOKEN=... health-gate --url https://api.example.com/health --header 'Authorization: Bearer ${API_TOKEN}'
)",
  };
  return s;
}

}  // namespace health_gate
