#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <random>
#include <string>

#include "kit/json_dump.hpp"

namespace {
std::string reference(const nlohmann::json& v) { return v.dump(2, ' ', false, nlohmann::json::error_handler_t::replace); }
}  // namespace

TEST_CASE("dump_pretty writes exactly what nlohmann's dump(2, replace) writes") {
  nlohmann::json v = {
      {"empty_object", nlohmann::json::object()},
      {"empty_array", nlohmann::json::array()},
      {"text", "Thiès 数据库 — \"quoted\" back\\slash \b\f\n\r\t \x01\x1f \x7f end"},
      {"invalid", "caf\xe9 cut \xc3"},
      {"surrogate", "\xed\xa0\x80 overlong \xc0\xaf big \xf4\x90\x80\x80"},
      {"numbers", {0, -1, 42, std::int64_t{-9223372036854775807LL - 1}, std::uint64_t{18446744073709551615ULL}, 0.25, 1e300, -0.0}},
      {"flags", {true, false, nullptr}},
      {"nested", {{"a", {{"b", nlohmann::json::array({nlohmann::json::object(), nlohmann::json::array({1})})}}}}},
      {"k\xff\n\"ey", "value"},
  };
  CHECK(kit::dump_pretty(v) == reference(v));
  for (const auto& item : v) CHECK(kit::dump_pretty(item) == reference(item));
}

TEST_CASE("dump_pretty matches nlohmann on random bytes (bounded: 2,000 strings)") {
  std::mt19937 rng(12345);
  std::uniform_int_distribution<int> len(0, 40), byte(0, 255), pick(0, 3);
  const char* pieces[] = {"é", "数", "\xe2\x80\xa8", "\xf0\x9f\x98\x80"};
  for (int round = 0; round < 2000; ++round) {
    std::string s;
    for (int k = len(rng); k > 0; --k) {
      if (pick(rng) == 0) s += pieces[pick(rng)];
      else s += static_cast<char>(byte(rng));
    }
    nlohmann::json v = {{"s", s}, {s, {s, round}}};
    REQUIRE(kit::dump_pretty(v) == reference(v));
  }
}
