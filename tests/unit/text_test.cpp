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
