#include <doctest/doctest.h>

#include "kit/text.hpp"

TEST_CASE("text: join, lower, comma lists, percent encoding") {
  CHECK(kit::join({"a", "b", "c"}, ", ") == "a, b, c");
  CHECK(kit::join({}) == "");
  CHECK(kit::lower("Proxy-AUTHORIZATION") == "proxy-authorization");
  CHECK(kit::split_commas({"postgis, pg_trgm", " uuid-ossp ", ",,", "a,\tb\r"}) ==
        std::vector<std::string>{"postgis", "pg_trgm", "uuid-ossp", "a", "b"});
  CHECK(kit::url_escape("/etc/ca dir/ca.pem") == "%2Fetc%2Fca%20dir%2Fca.pem");
  CHECK(kit::percent_decode(kit::url_escape("päss wörd&=%")) == "päss wörd&=%");
  CHECK(kit::url_escape(std::string_view("abc", 0)) == "");
  CHECK(kit::percent_decode("100%") == "100%");
  CHECK(kit::percent_decode("%4") == "%4");
}

TEST_CASE("text: trimming and strict numbers, one place for every tool") {
  CHECK(kit::trim("  a b \t\r\n") == "a b");
  CHECK(kit::trim(" \n ") == "");
  CHECK(kit::split_lines(" a \r\n\n b\n") == std::vector<std::string>{"a", "b"});
  CHECK(kit::parse_integer("42") == 42);
  CHECK(kit::parse_integer("-7") == -7);
  CHECK(kit::parse_integer("+7") == 7);
  for (const char* bad : {"", " 5", "5 ", "5x", "abc", "0x10", "1e3", "99999999999999999999", "+", "-"})
    CHECK_FALSE(kit::parse_integer(bad).has_value());
  CHECK(kit::parse_number("0.95") == doctest::Approx(0.95));
  CHECK(kit::parse_number("1e-2") == doctest::Approx(0.01));
  for (const char* bad : {"nan", "NaN", "inf", "-inf", "infinity", "1e999", "0x1p3", " 1", "1,5", "", "."})
    CHECK_FALSE(kit::parse_number(bad).has_value());
}

TEST_CASE("text: booleans are those @actions/core accepts") {
  for (const char* t : {"true", "True", "TRUE"}) CHECK(kit::parse_bool(t) == true);
  for (const char* f : {"false", "False", "FALSE"}) CHECK(kit::parse_bool(f) == false);
  for (const char* bad : {"yes", "1", "on", "tRuE", "", " true"}) CHECK_FALSE(kit::parse_bool(bad).has_value());
}

TEST_CASE("text: truncation never cuts a UTF-8 character") {
  std::string fr = "base de données indisponible à Thiès";
  CHECK(kit::utf8_prefix(fr, 13) == "base de donn");  // 'é' is bytes 12-13: not cut in half
  CHECK(kit::utf8_prefix(fr, 14) == "base de donné");
  CHECK(kit::truncate_text("数据库连接失败", 3) == "数据库…");
  CHECK(kit::truncate_text("Thiès", 5) == "Thiès");
  CHECK(kit::valid_utf8("caf\xe9 \xff ok") == "caf\xEF\xBF\xBD \xEF\xBF\xBD ok");
  CHECK(kit::valid_utf8("Thiès 数据库") == "Thiès 数据库");
  CHECK(kit::valid_utf8("\xed\xa0\x80") == "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // a UTF-16 surrogate is not UTF-8
}

TEST_CASE("text: untrusted text becomes one printable line") {
  CHECK(kit::escape_controls("ok\n::error::pwned") == "ok\\n::error::pwned");
  CHECK(kit::escape_controls(std::string("a\0b\x1b[31mc\x7f", 10)) == "a\\x00b\\x1b[31mc\\x7f");
  CHECK(kit::escape_controls("Thiès 数据库") == "Thiès 数据库");
  CHECK(kit::escape_controls("\xc2\x85 \xe2\x80\xa8 \xff") == "\\u0085 \\u2028 \\xff");
}

TEST_CASE("text: a value quoted back in a message is one line, escaped, cut on a character") {
  CHECK(kit::quote_value("Thiès") == "Thiès");
  CHECK(kit::quote_value("a\n::error::x\x1b") == "a\\n::error::x\\x1b");
  std::string long_value = std::string(59, 'a') + "é" + "zzz";
  CHECK(kit::quote_value(long_value) == std::string(59, 'a') + "é…");
  CHECK(kit::quote_value("abcdef", 3) == "abc…");
}

TEST_CASE("text: the closest candidate for a typo") {
  std::vector<std::string> names{"timeout", "interval", "request-timeout", "url"};
  CHECK(kit::closest_match("timout", names) == "timeout");
  CHECK(kit::closest_match("intervall", names) == "interval");
  CHECK(kit::closest_match("request", names) == "request-timeout");
  CHECK_FALSE(kit::closest_match("frobnicate", names).has_value());
}

TEST_CASE("text: escape_controls and valid_utf8 copy ASCII runs whole, mixed text handled byte-exactly") {
  // Runs of plain ASCII between every kind of special byte, at the start, middle and end.
  CHECK(kit::escape_controls("a\x01" "bc\x7f" "d\xc2\x85" "e\xe2\x80\xa8" "f\xff" "g — h") ==
        "a\\x01bc\\x7fd\\u0085e\\u2028f\\xffg — h");
  CHECK(kit::escape_controls("\tstart") == "\\tstart");
  CHECK(kit::escape_controls("end\r") == "end\\r");
  CHECK(kit::escape_controls("") == "");
  CHECK(kit::valid_utf8("ab\xff" "cd\xc3") == "ab\xEF\xBF\xBD" "cd\xEF\xBF\xBD");
  CHECK(kit::valid_utf8("plain ascii only") == "plain ascii only");
  CHECK(kit::valid_utf8("") == "");
}
