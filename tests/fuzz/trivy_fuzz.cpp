// Trivy JSON reports (SchemaVersion 2) and .trivyignore files, both read from the workspace.
// Input: ignore file, NUL, report. Invariants: blocking findings are at or above the threshold and
// every finding is counted; a refused report is a usage error.
#include "fuzz_support.hpp"
#include "image-promote/trivy.hpp"
#include "kit/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto [ignore_text, report] = fuzz::split2(fuzz::as_string(data, size));
  image_promote::GatePolicy policy;
  policy.threshold = image_promote::Severity::medium;
  policy.ignore_unfixed = size % 2 == 0;
  policy.today = "2026-11-29";
  image_promote::GateResult r;
  try {
    policy.ignore = image_promote::parse_trivyignore(ignore_text);
    r = image_promote::evaluate_report(report, policy);
  } catch (const kit::Error& e) {
    FUZZ_CHECK(e.code() == kit::Exit::usage, "a report that is not Trivy's is a usage error");
    return 0;
  }
  int counted = 0;
  for (const auto& [sev, n] : r.counts) counted += n;
  FUZZ_CHECK(counted == r.total, "every finding is counted once");
  for (const auto& f : r.blocking) {
    FUZZ_CHECK(f.severity >= policy.threshold, "blocking findings are at or above the threshold");
    if (policy.ignore_unfixed) FUZZ_CHECK(!f.fixed.empty(), "unfixed findings are ignored");
  }
  FUZZ_CHECK(static_cast<int>(r.blocking.size() + r.ignored.size()) <= r.total, "no finding invented");
  (void)image_promote::tie_report_to_image(r.image_digests, {"sha256:" + std::string(64, 'a')});
  return 0;
}
