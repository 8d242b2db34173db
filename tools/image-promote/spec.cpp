// image-promote's options and commands, declared once: they drive the flags, INPUT_* names,
// --help, action.yml's inputs and the dispatch (each command carries its function).
#include "image-promote/commands/commands.hpp"
#include "image-promote/image_promote.hpp"

namespace image_promote {

using kit::OptionKind;

namespace {

kit::Option dry_run() { return {.name = "dry-run", .help = "print the plan (what would change) and change nothing", .kind = OptionKind::flag}; }
kit::Option no_referrers() {
  return {.name = "no-referrers", .help = "do not copy signatures, attestations and SBOMs attached to the image", .kind = OptionKind::flag};
}
kit::Option settle() {
  return {.name = "settle",
          .help = "with --expect-current: wait this long after writing, then check no racing promotion overwrote us",
          .default_value = "500ms",
          .metavar = "DURATION"};
}
kit::Option fail_on() {
  return {.name = "fail-on", .help = "severities that block (the lowest listed is the threshold), e.g. HIGH,CRITICAL",
          .default_value = "HIGH", .metavar = "SEVERITIES"};
}
kit::Option ignore_unfixed() {
  return {.name = "ignore-unfixed", .help = "findings without a fixed version do not block", .kind = OptionKind::flag};
}
kit::Option ignore_file() {
  return {.name = "ignore-file", .help = "a .trivyignore file: IDs that do not block (`exp:YYYY-MM-DD` honoured)", .metavar = "FILE"};
}
kit::Option positional(const char* name, const char* help, const char* metavar) {
  return {.name = name, .help = help, .kind = OptionKind::positional, .metavar = metavar, .required = true};
}
kit::Option required(const char* name, const char* help, const char* metavar) {
  return {.name = name, .help = help, .metavar = metavar, .required = true};
}

}  // namespace

const kit::ToolSpec& spec() {
  static const kit::ToolSpec s{
      .name = "image-promote",
      .summary = "move container images between tags and registries by digest, gate them on a Trivy scan, and roll back",
      .options =
          {
              {.name = "insecure-registry", .help = "HOST:PORT to speak plain HTTP to (loopback is NOT insecure by default)",
               .kind = OptionKind::list, .metavar = "HOST:PORT"},
              {.name = "username",
               .help = "registry user name (else REGISTRY_USERNAME; else GITHUB_TOKEN for ghcr.io, auth files); for one registry only",
               .metavar = "NAME"},
              {.name = "credentials-for", .help = "the registry --username / REGISTRY_USERNAME are for, when the command talks to two",
               .metavar = "HOST"},
              {.name = "password", .help = "registry password or token (as an input or env only; never on the command line)",
               .metavar = "SECRET", .secret = true},
              {.name = "password-stdin", .help = "read the password from standard input", .kind = OptionKind::flag},
              {.name = "cacert", .help = "CA bundle to verify registries' TLS with (else SSL_CERT_FILE / SSL_CERT_DIR)", .metavar = "FILE"},
              {.name = "jobs", .help = "blobs transferred at once (1-64)", .default_value = "4", .metavar = "N"},
              {.name = "retries",
               .help = "attempts per operation (a request, or a whole blob transfer) on 429/5xx/resets (Retry-After honoured)",
               .default_value = "4", .metavar = "N"},
              {.name = "retry-delay", .help = "first backoff delay (doubles each retry, with jitter)", .default_value = "200ms",
               .metavar = "DURATION"},
              {.name = "timeout", .help = "deadline for the whole run: no request or retry goes past it", .default_value = "30m",
               .metavar = "DURATION"},
          },
      .commands =
          {
              {.name = "digest", .summary = "print the digest a reference resolves to",
               .options = {positional("image", "image reference", "REF")}, .run = commands::digest},
              {.name = "inspect", .summary = "describe an image as JSON: media type, platforms, layers, sizes",
               .options = {positional("image", "image reference", "REF")}, .run = commands::inspect},
              {.name = "copy", .summary = "copy an image (all platforms, digest preserved) to another repository or registry",
               .options = {positional("source", "image to copy", "SRC"),
                           positional("destination", "where to copy it (tag or digest optional; default: the source's tag)", "DST"),
                           {.name = "platform", .help = "copy only these platforms of an index, e.g. linux/amd64 (the digest then changes)",
                            .kind = OptionKind::list, .metavar = "OS/ARCH"},
                           no_referrers(), dry_run()},
               .run = commands::copy},
              {.name = "promote", .summary = "point tags at an image by digest, recording the previous digest in the registry",
               .options = {positional("source", "image to promote, pinned by digest (REPO@sha256:...)", "SRC"),
                           required("to", "tags to move, comma-separated; TAG (source's repository) or REGISTRY/REPO:TAG", "TAG[,TAG]"),
                           {.name = "expect-current",
                            .help = "fail (exit 1) unless the tag currently points at this digest ('none': must not exist)",
                            .metavar = "DIGEST"},
                           {.name = "allow-tag-source", .help = "accept a source given by tag (resolved once, then used by digest)",
                            .kind = OptionKind::flag},
                           {.name = "require-scan",
                            .help = "Trivy JSON report of this image (its digests are checked) that must pass the gate before anything moves",
                            .metavar = "FILE"},
                           fail_on(), ignore_unfixed(), ignore_file(), settle(), no_referrers(), dry_run()},
               .run = commands::promote},
              {.name = "rollback", .summary = "move a tag back to an earlier digest from its promotion history",
               .options = {positional("repository", "repository, e.g. ghcr.io/yonima/backend", "REPO"),
                           required("tag", "tag to roll back", "TAG"),
                           {.name = "steps", .help = "how many promotions to undo (default 1)", .metavar = "N"},
                           {.name = "to", .help = "roll back to this digest instead (one the tag ran: its history shows it)", .metavar = "DIGEST"},
                           {.name = "allow-unrecorded",
                            .help = "with --to: accept a digest the history does not show the tag running (it ran before the history began)",
                            .kind = OptionKind::flag},
                           {.name = "to-previous-of",
                            .help = "undo the promotion of this digest: back to what the tag held before it (refused unless the tag points at it)",
                            .metavar = "DIGEST"},
                           {.name = "expect-current",
                            .help = "refuse (exit 1, nothing changed) unless the tag points at this digest now ('none': no tag)",
                            .metavar = "DIGEST"},
                           settle(), dry_run()},
               .run = commands::rollback},
              {.name = "history", .summary = "list the promotions of a tag",
               .options = {positional("repository", "repository, e.g. ghcr.io/yonima/backend", "REPO"),
                           required("tag", "tag whose history to show", "TAG"),
                           {.name = "limit", .help = "at most this many entries", .default_value = "20", .metavar = "N"}},
               .run = commands::history},
              {.name = "gate", .summary = "judge a Trivy JSON report: exit 1 while findings at or above the threshold remain",
               .options = {required("trivy-report", "Trivy JSON report (trivy image --format json)", "FILE"), fail_on(),
                           ignore_unfixed(), ignore_file()},
               .run = commands::gate},
          },
      .examples = R"(  image-promote digest ghcr.io/yonima/backend:sha-abc123
  image-promote promote ghcr.io/yonima/backend@sha256:... --to production --require-scan trivy.json
  image-promote promote ghcr.io/yonima/backend@sha256:... --to staging,production --expect-current sha256:...
  image-promote rollback ghcr.io/yonima/backend --tag production --to-previous-of sha256:...
  image-promote history ghcr.io/yonima/backend --tag production
  image-promote copy ghcr.io/yonima/backend@sha256:... registry.example.com/yonima/backend:v1.4.0
  image-promote gate --trivy-report trivy.json --fail-on HIGH,CRITICAL --ignore-unfixed --ignore-file .trivyignore
)"};
  return s;
}

}  // namespace image_promote
