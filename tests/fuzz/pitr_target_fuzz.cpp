// pitr-restore's recovery target as the operator writes it: --to (RFC 3339 or "15m ago"), --lsn,
// --restore-point. The first byte picks the option. Invariants: only kit::Error(usage) escapes; an
// accepted time formats and parses back to itself; an accepted LSN is a fixed point.
#include "fuzz_support.hpp"
#include "kit/error.hpp"
#include "pitr-restore/target.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string text = fuzz::as_string(data + 1, size - 1);
  const pitr_restore::Micros now = 1'795'000'000'000'000;  // 2026-11-18, in microseconds
  try {
    switch (data[0] % 4) {
      case 0: {
        pitr_restore::Micros t = pitr_restore::parse_time(text, now);
        std::string shown = pitr_restore::format_time(t);
        FUZZ_CHECK(pitr_restore::parse_time(shown, now) == t, "parse(format(t)) == t");
        (void)pitr_restore::format_pg_time(t);
        (void)pitr_restore::format_span(t, now);
        break;
      }
      case 1: {
        std::string lsn = pitr_restore::parse_lsn(text);
        FUZZ_CHECK(pitr_restore::parse_lsn(lsn) == lsn, "a normalised LSN is a fixed point");
        (void)pitr_restore::lsn_value(lsn);
        break;
      }
      case 2: {
        std::string name = pitr_restore::check_restore_point_name(text);
        FUZZ_CHECK(!name.empty() && name.size() <= 63, "a restore point name is 1..63 bytes");
        FUZZ_CHECK(name.find_first_of("'\\\n") == std::string::npos, "no quote, backslash or newline");
        break;
      }
      default: {
        auto [a, b] = fuzz::split2(text);
        auto req = pitr_restore::parse_target(a, std::nullopt, b.empty() ? std::nullopt : std::optional<std::string>(b),
                                              std::nullopt, now);
        (void)req;
      }
    }
  } catch (const kit::Error& e) {
    FUZZ_CHECK(e.code() == kit::Exit::usage, "bad input is a usage error");
    FUZZ_CHECK(std::string(e.what()).find('\n') == std::string::npos, "one line");
  }
  return 0;
}
