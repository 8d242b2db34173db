// Durations from flags and INPUT_* ("500ms", "1h30m", "1.5s"). Invariants: an accepted duration is
// never negative, and format_duration's text parses back to the same value.
#include "fuzz_support.hpp"
#include "kit/duration.hpp"
#include "kit/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text = fuzz::as_string(data, size);
  kit::Millis d;
  try {
    d = kit::parse_duration(text, "--interval");
  } catch (const kit::Error& e) {
    FUZZ_CHECK(e.code() == kit::Exit::usage, "a bad duration is a usage error");
    return 0;
  }
  FUZZ_CHECK(d.count() >= 0, "a duration is not negative");
  std::string shown = kit::format_duration(d);
  kit::Millis again = kit::parse_duration(shown, "--interval");
  FUZZ_CHECK(again == d, "parse(format(d)) == d");
  return 0;
}
