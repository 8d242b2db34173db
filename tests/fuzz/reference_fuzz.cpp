// Image references ([registry[:port]/]repository[:tag][@digest]) from flags and registry data.
// Invariant: whatever parses has a canonical form that parses back to the same reference.
#include "fuzz_support.hpp"
#include "image-promote/reference.hpp"
#include "kit/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text = fuzz::as_string(data, size);
  image_promote::Reference r;
  try {
    r = image_promote::parse_reference(text);
  } catch (const kit::Error& e) {
    FUZZ_CHECK(e.code() == kit::Exit::usage, "a bad reference is a usage error");
    try {
      (void)image_promote::parse_repository(text);
    } catch (const kit::Error& e2) {
      FUZZ_CHECK(e2.code() == kit::Exit::usage, "a bad repository is a usage error");
    }
    return 0;
  }
  FUZZ_CHECK(!r.registry.empty() && !r.repository.empty(), "a parsed reference names a registry and a repository");
  FUZZ_CHECK(r.digest.empty() || image_promote::valid_digest(r.digest), "the digest kept is valid");
  FUZZ_CHECK(r.tag.empty() || image_promote::valid_tag(r.tag), "the tag kept is valid");
  std::string canonical = r.str();
  image_promote::Reference again = image_promote::parse_reference(canonical);  // must not throw
  FUZZ_CHECK(again.str() == canonical, "str() is a fixed point");
  FUZZ_CHECK(again.registry == r.registry && again.repository == r.repository && again.tag == r.tag &&
                 again.digest == r.digest,
             "parse(str(r)) == r");
  (void)image_promote::api_host(r.registry);
  return 0;
}
