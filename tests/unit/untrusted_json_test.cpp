#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "kit/untrusted_json.hpp"

TEST_CASE("untrusted JSON: nesting is bounded before parsing") {
  std::string deep = std::string(1 << 19, '[') + std::string(1 << 19, ']');
  std::string why;
  CHECK(kit::parse_untrusted_json(deep, 64, &why).is_discarded());
  CHECK(why == "nested deeper than 64 levels");
  CHECK(kit::json_depth(R"({"a":"[[[[","b":[1,{"c":[]}]})", 100) == 4);
  CHECK_FALSE(kit::parse_untrusted_json(R"({"status":"ok","n":[1,2]})").is_discarded());
  CHECK(kit::parse_untrusted_json("caf\xe9", 64, &why).is_discarded());
  CHECK(why == "not JSON");
}

TEST_CASE("untrusted JSON: pointers resolve without exceptions") {
  auto doc = nlohmann::json::parse(R"({"items":[10,20],"a/b":{"~x":true},"info":{"db":{"status":"up"}}})");
  CHECK(*kit::find_pointer(doc, "/items/1") == 20);
  CHECK(*kit::find_pointer(doc, "/info/db/status") == "up");
  CHECK(*kit::find_pointer(doc, "/a~1b/~0x") == true);
  CHECK(kit::find_pointer(doc, "") == &doc);
  for (const char* missing : {"/items/2", "/items/99999999999999999999999", "/items/18446744073709551616", "/items/-1",
                              "/items/01", "/items/x", "/nope", "/items/0/deeper", "nope", "/a~2b"})
    CHECK(kit::find_pointer(doc, missing) == nullptr);
  CHECK(kit::is_json_pointer("/a~0~1"));
  CHECK_FALSE(kit::is_json_pointer("/a~"));
  CHECK_FALSE(kit::is_json_pointer("a"));
}

TEST_CASE("untrusted JSON: excerpts are valid UTF-8 and short") {
  CHECK(kit::json_excerpt(nlohmann::json("Thiès")) == "Thiès");
  CHECK(kit::json_excerpt(nlohmann::json::parse("[1,2,3]")) == "[1,2,3]");
  CHECK(kit::json_excerpt(nlohmann::json(std::string(500, 'a')), 10) == std::string(10, 'a') + "…");
}
