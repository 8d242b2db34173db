#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "kit/duration.hpp"
#include "kit/error.hpp"

using kit::Millis;

TEST_CASE("durations parse with units and combine") {
  CHECK(kit::parse_duration("500ms") == Millis(500));
  CHECK(kit::parse_duration("5s") == Millis(5000));
  CHECK(kit::parse_duration("2m") == Millis(120000));
  CHECK(kit::parse_duration("1h30m") == Millis(5400000));
  CHECK(kit::parse_duration("1.5s") == Millis(1500));
  CHECK(kit::parse_duration("0s") == Millis(0));
}

TEST_CASE("bad durations are usage errors naming the option") {
  for (const char* bad : {"", "5", "5x", "s", "1..5s", "-1s", "10d", "200h"}) {
    try {
      kit::parse_duration(bad, "--interval");
      FAIL("accepted " << bad);
    } catch (const kit::Error& e) {
      CHECK(e.code() == kit::Exit::usage);
      CHECK(std::string(e.what()).find("--interval") == 0);
    }
  }
}

TEST_CASE("durations format back to the shortest exact form") {
  CHECK(kit::format_duration(Millis(250)) == "250ms");
  CHECK(kit::format_duration(Millis(1500)) == "1.5s");
  CHECK(kit::format_duration(Millis(5400000)) == "1h30m");
  CHECK(kit::format_duration(Millis(61001)) == "1m1.001s");
  CHECK(kit::parse_duration(kit::format_duration(Millis(3723004))) == Millis(3723004));
}

TEST_CASE("hostile durations: a short one-line message, no overflow") {
  for (const std::string& bad : std::vector<std::string>{std::string(100000, '9') + "s", "5s\n::error::x", std::string("1\0s", 3), "1e400s"}) {
    try {
      kit::parse_duration(bad, "--interval");
      FAIL("accepted");
    } catch (const kit::Error& e) {
      std::string what = e.what();
      CHECK(what.size() < 200);
      CHECK(what.find('\n') == std::string::npos);
      CHECK(what.find('\0') == std::string::npos);
    }
  }
}

TEST_CASE("days only where a caller allows them: a deadline of '2d' is a typo") {
  CHECK_THROWS_AS(kit::parse_duration("2d", "--initial-delay"), kit::Error);
  CHECK(kit::parse_duration("2d", "--to", std::chrono::hours(366 * 24), true) == std::chrono::hours(48));
  CHECK_THROWS_AS(kit::parse_duration("8d", "--to", std::chrono::hours(7 * 24), true), kit::Error);
}
