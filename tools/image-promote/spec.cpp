#include "image-promote/image_promote.hpp"

namespace image_promote {

using kit::OptionKind;

namespace {

kit::Option dry_run() { return {"dry-run", "print what would change and change nothing", "", OptionKind::flag}; }
kit::Option no_referrers() {
  return {"no-referrers", "do not copy signatures, attestations and SBOMs attached to the image", "", OptionKind::flag};
}
kit::Option settle() {
  return {"settle", "with --expect-current: wait this long after writing, then check no racing promotion overwrote us",
          "500ms", OptionKind::value, "DURATION"};
}
kit::Option fail_on() {
  return {"fail-on", "severities that block (the lowest listed is the threshold), e.g. HIGH,CRITICAL", "HIGH",
          OptionKind::value, "SEVERITIES"};
}
kit::Option ignore_unfixed() { return {"ignore-unfixed", "findings without a fixed version do not block", "", OptionKind::flag}; }
kit::Option ignore_file() {
  return {"ignore-file", "a .trivyignore file: IDs that do not block (`exp:YYYY-MM-DD` honoured)", "", OptionKind::value, "FILE"};
}

}  // namespace

const kit::ToolSpec& spec() {
  static const kit::ToolSpec s{
      "image-promote",
      "move container images between tags and registries by digest, gate them on a Trivy scan, and roll back",
      {
          {"insecure-registry", "HOST:PORT to speak plain HTTP to (loopback is NOT insecure by default)", "",
           OptionKind::list, "HOST:PORT"},
          {"username", "registry user name (else REGISTRY_USERNAME; else GITHUB_TOKEN for ghcr.io, docker config); for one registry only",
           "", OptionKind::value, "NAME"},
          {"credentials-for", "the registry --username / REGISTRY_USERNAME are for, when the command talks to two", "",
           OptionKind::value, "HOST"},
          {"password", "registry password or token (as an input or env only; never on the command line)", "",
           OptionKind::value, "SECRET", true},
          {"password-stdin", "read the password from standard input", "", OptionKind::flag},
          {"cacert", "CA bundle to verify registries' TLS with (else SSL_CERT_FILE / SSL_CERT_DIR)", "", OptionKind::value, "FILE"},
          {"jobs", "blobs transferred at once", "4", OptionKind::value, "N"},
          {"retries", "attempts per operation (a request, or a whole blob transfer) on 429/5xx/resets (Retry-After honoured)",
           "4", OptionKind::value, "N"},
          {"retry-delay", "first backoff delay (doubles each retry, with jitter)", "200ms", OptionKind::value, "DURATION"},
      },
      {
          {"digest", "print the digest a reference resolves to", {{"image", "image reference", "", OptionKind::positional, "REF"}}, run_digest},
          {"inspect", "describe an image as JSON: media type, platforms, layers, sizes",
           {{"image", "image reference", "", OptionKind::positional, "REF"}}, run_inspect},
          {"copy", "copy an image (all platforms, digest preserved) to another repository or registry",
           {{"source", "image to copy", "", OptionKind::positional, "SRC"},
            {"destination", "where to copy it (tag or digest optional; default: the source's tag)", "", OptionKind::positional, "DST"},
            {"platform", "copy only these platforms of an index, e.g. linux/amd64 (the digest then changes)", "",
             OptionKind::list, "OS/ARCH"},
            no_referrers(), dry_run()}, run_copy},
          {"promote", "point tags at an image by digest, recording the previous digest in the registry",
           {{"source", "image to promote, pinned by digest (REPO@sha256:...)", "", OptionKind::positional, "SRC"},
            {"to", "tags to move, comma-separated; TAG (source's repository) or REGISTRY/REPO:TAG", "", OptionKind::value,
             "TAG[,TAG]"},
            {"expect-current", "fail (exit 1) unless the tag currently points at this digest ('none': must not exist)", "",
             OptionKind::value, "DIGEST"},
            {"allow-tag-source", "accept a source given by tag (resolved once, then used by digest)", "", OptionKind::flag},
            {"require-scan", "Trivy JSON report of this image (its digests are checked) that must pass the gate before anything moves",
             "", OptionKind::value, "FILE"},
            fail_on(), ignore_unfixed(), ignore_file(), settle(), no_referrers(), dry_run()}, run_promote},
          {"rollback", "move a tag back to an earlier digest from its promotion history",
           {{"repository", "repository, e.g. ghcr.io/yonima/backend", "", OptionKind::positional, "REPO"},
            {"tag", "tag to roll back", "", OptionKind::value, "TAG"},
            {"steps", "how many promotions to undo (default 1)", "", OptionKind::value, "N"},
            {"to", "roll back to this digest instead", "", OptionKind::value, "DIGEST"},
            settle(), dry_run()}, run_rollback},
          {"history", "list the promotions of a tag",
           {{"repository", "repository, e.g. ghcr.io/yonima/backend", "", OptionKind::positional, "REPO"},
            {"tag", "tag whose history to show", "", OptionKind::value, "TAG"},
            {"limit", "at most this many entries", "20", OptionKind::value, "N"}}, run_history},
          {"gate", "judge a Trivy JSON report: exit 1 while findings at or above the threshold remain",
           {{"trivy-report", "Trivy JSON report (trivy image --format json)", "", OptionKind::value, "FILE"}, fail_on(),
            ignore_unfixed(), ignore_file()}, run_gate},
      },
      R"(  image-promote digest ghcr.io/yonima/backend:sha-abc123
  image-promote promote ghcr.io/yonima/backend@sha256:... --to production --require-scan trivy.json
  image-promote promote ghcr.io/yonima/backend@sha256:... --to staging,production --expect-current sha256:...
  image-promote rollback ghcr.io/yonima/backend --tag production
  image-promote history ghcr.io/yonima/backend --tag production
  image-promote copy ghcr.io/yonima/backend@sha256:... registry.example.com/yonima/backend:v1.4.0
  image-promote gate --trivy-report trivy.json --fail-on HIGH,CRITICAL --ignore-unfixed --ignore-file .trivyignore
)"};
  return s;
}

}  // namespace image_promote
