// health-gate --expect-json: a JSON Pointer (and expected value) from the workflow, resolved in a
// response body from the service. Input: "pointer=value", NUL, body. Invariants: a malformed
// pointer finds nothing; "" finds the whole document; nothing deeper than the bound is accepted;
// nothing throws but kit::Error from the option parser.
#include <nlohmann/json.hpp>

#include "fuzz_support.hpp"
#include "health-gate/checks.hpp"
#include "kit/error.hpp"
#include "kit/untrusted_json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto [expectation, body] = fuzz::split2(fuzz::as_string(data, size));
  std::string why;
  nlohmann::json doc = kit::parse_untrusted_json(body, kit::kMaxJsonDepth, &why);
  size_t depth = kit::json_depth(body, kit::kMaxJsonDepth + 1);
  if (!doc.is_discarded()) {
    FUZZ_CHECK(depth <= kit::kMaxJsonDepth, "a parsed document is within the depth bound");
    FUZZ_CHECK(kit::find_pointer(doc, "") == &doc, "the empty pointer is the document");
    (void)kit::json_excerpt(doc, 50);
  } else {
    FUZZ_CHECK(!why.empty(), "a refused document says why");
  }
  std::string pointer = expectation.substr(0, expectation.find('='));
  const nlohmann::json* found = doc.is_discarded() ? nullptr : kit::find_pointer(doc, pointer);
  if (!kit::is_json_pointer(pointer)) FUZZ_CHECK(found == nullptr, "a malformed pointer finds nothing");
  if (found) {
    std::string excerpt = kit::json_excerpt(*found, 20);
    (void)excerpt;
  }
  try {
    auto e = health_gate::JsonExpectation::parse(expectation);
    FUZZ_CHECK(!e.pointer.empty() && e.pointer[0] == '/', "an accepted expectation starts with /");
  } catch (const kit::Error& e) {
    FUZZ_CHECK(e.code() == kit::Exit::usage, "a bad --expect-json is a usage error");
  }
  return 0;
}
