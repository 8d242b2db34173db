// ota-publish: what eas-cli prints on stdout with --json (stray lines, partial output) and on
// stderr. The first byte picks the reader. Invariants: readers never throw; no value means a
// one-line problem; a rollout percentage is 0..100.
#include "fuzz_support.hpp"
#include "ota-publish/eas_output.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string text = fuzz::as_string(data + 1, size - 1);
  auto no_value = [](const std::string& problem) {
    FUZZ_CHECK(!problem.empty(), "no value says why");
    FUZZ_CHECK(problem.find('\n') == std::string::npos, "the problem is one line");
  };
  switch (data[0] % 5) {
    case 0: {
      auto r = ota::read_updates(text);
      if (!r) no_value(r.problem);
      else
        for (const auto& u : *r.value)
          if (u.rollout_percentage) FUZZ_CHECK(*u.rollout_percentage >= 0 && *u.rollout_percentage <= 100, "percentage");
      break;
    }
    case 1: {
      auto r = ota::read_channel(text);
      if (!r) no_value(r.problem);
      break;
    }
    case 2: {
      auto r = ota::read_update_list(text);
      if (!r) no_value(r.problem);
      break;
    }
    case 3: {
      auto r = ota::read_rollout(text);
      if (!r) no_value(r.problem);
      break;
    }
    default: {
      std::string line = ota::eas_error_line(text);
      FUZZ_CHECK(line.find('\n') == std::string::npos, "the error line is one line");
      if (text.empty()) FUZZ_CHECK(line.empty(), "nothing from nothing");
    }
  }
  return 0;
}
