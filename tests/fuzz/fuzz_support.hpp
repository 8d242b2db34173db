#pragma once
// Shared by the libFuzzer harnesses: an invariant that fails aborts with what broke, so libFuzzer
// keeps the input as a crash reproducer (ASan prints the stack).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#define FUZZ_CHECK(cond, what)                                                                   \
  do {                                                                                           \
    if (!(cond)) {                                                                               \
      std::fprintf(stderr, "fuzz invariant failed at %s:%d: %s (%s)\n", __FILE__, __LINE__, what, \
                   #cond);                                                                       \
      std::abort();                                                                              \
    }                                                                                            \
  } while (0)

namespace fuzz {

inline std::string as_string(const uint8_t* data, size_t size) {
  return std::string(reinterpret_cast<const char*>(data), size);
}

// Splits the input at the first NUL byte (or "\n---\n"-free: just NUL): two independent fields
// from one input (a pointer and a document, a header and a body).
inline std::pair<std::string, std::string> split2(const std::string& in) {
  auto nul = in.find('\0');
  if (nul == std::string::npos) return {in, std::string()};
  return {in.substr(0, nul), in.substr(nul + 1)};
}

}  // namespace fuzz
