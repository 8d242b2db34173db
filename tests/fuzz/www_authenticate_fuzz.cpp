// WWW-Authenticate challenges from a registry's 401 (Basic, or Bearer realm/service/scope).
// Invariant: a challenge is only ever basic or bearer, with lower-case parameter names.
#include <cctype>

#include "fuzz_support.hpp"
#include "image-promote/auth.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string header = fuzz::as_string(data, size);
  auto c = image_promote::parse_challenge(header);
  if (!c) return 0;
  FUZZ_CHECK(c->scheme == "basic" || c->scheme == "bearer", "only basic and bearer are answered");
  for (const auto& [k, v] : c->params) {
    for (char ch : k) FUZZ_CHECK(!std::isupper(static_cast<unsigned char>(ch)), "parameter names are lower-cased");
    FUZZ_CHECK(k.size() <= header.size() && v.size() <= header.size(), "nothing longer than the header");
  }
  return 0;
}
