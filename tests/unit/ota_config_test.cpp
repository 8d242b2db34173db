#include <doctest/doctest.h>

#include <string>

#include "ota-publish/eas_config.hpp"
#include "ota-publish/json5.hpp"
#include "ota-publish/ref_plan.hpp"

TEST_CASE("json5: what eas-cli accepts, with lines") {
  auto p = ota::json5::parse("// c\n{\n  a: 'x', /* b */\n  \"b\": [1, 0x1F, +Infinity, .5,],\n  c: \"\\u00e9\\\n\",\n}\n");
  REQUIRE(p.value);
  CHECK(p.value->get("a")->text == "x");
  CHECK(p.value->key_line("b") == 4);
  CHECK(p.value->get("b")->items.size() == 4);
  CHECK(p.value->get("b")->items[1].number == 31);
  CHECK(p.value->get("c")->text == "\xC3\xA9");
  CHECK(p.value->get("a")->line == 3);

  auto bad = ota::json5::parse("{\n  \"a\": 1\n  \"b\": 2\n}");
  REQUIRE(!bad.value);
  CHECK(bad.error.line == 3);
  CHECK(!ota::json5::parse("").value);
  CHECK(!ota::json5::parse("{} x").value);
  CHECK(ota::json5::parse("/* open").error.message.find("never closed") != std::string::npos);
  CHECK(ota::json5::parse(std::string(1 << 20, '[')).error.message.find("nested deeper") != std::string::npos);
  CHECK(ota::json5::parse("{\"a\": 1, \"a\": 2}").value->get("a")->number == 2);  // the last duplicate wins, as JSON.parse
  CHECK(ota::json5::parse(std::string("\"\xff\x00\"", 4)).value);  // bytes pass through; reporting makes them valid
  // As golden-fleece (eas-cli's JSON5 reader): a lone CR ends a line comment, JavaScript's \s is space, NaN takes no sign.
  CHECK(ota::json5::parse("// c\r{\xE2\x80\xA8\"a\":\xE3\x80\x80 1}").value);
  CHECK(ota::json5::parse("[-NaN]").error.message.find("NaN cannot have a sign") != std::string::npos);
  CHECK(ota::json5::parse("[NaN, -Infinity]").value);
}

TEST_CASE("check-config: the rules on small files") {
  auto rules = [](const std::string& eas, const std::string& app = R"({"expo": {"runtimeVersion": {"policy": "fingerprint"}}})") {
    std::vector<std::string> out;
    for (const auto& f : ota::check_config({.eas_json = eas, .app_config_path = std::string("app.json"), .app_config = app}))
      if (f.level == ota::FindingLevel::error) out.push_back(std::string(ota::rule_name(f.rule)) + ":" + std::to_string(f.line));
    return out;
  };
  std::string good = R"({"build": {
  "development": {"channel": "development"},
  "preview": {"channel": "preview"},
  "production": {"channel": "production"}}})";
  CHECK(rules(good).empty());
  CHECK(rules(R"({"build": {"development": {}, "preview": {"channel": "preview"}, "production": {"channel": "production"}}})") ==
        std::vector<std::string>{"missing-channel:1"});
  CHECK(rules(R"({"build": {"development": {"channel": "Dev Channel"}, "preview": {"channel": "preview"}, "production": {"channel": "production"}}})") ==
        std::vector<std::string>{"invalid-channel:1"});
  CHECK(rules(R"({"build": {"a": {"extends": "b"}, "b": {"extends": "a"}, "development": {"channel": "d"}, "preview": {"channel": "p"}, "production": {"channel": "x"}}})")
            .size() == 2);
  CHECK(rules(good, R"({"expo": {"name": "x"}})") == std::vector<std::string>{"missing-runtime-version:1"});
  CHECK(rules(good, R"({"expo": {"runtimeVersion": {"policy": "whatever"}}})") == std::vector<std::string>{"missing-runtime-version:1"});
  CHECK(rules(good, R"({"expo": {"runtimeVersion": "1.0.0"}})").empty());
  CHECK(rules(R"({"build": {"development": {"channel": "development", "environment": "production"}, "preview": {"channel": "preview"},
    "production": {"channel": "production", "environment": "production"}}})") == std::vector<std::string>{"shared-environment:1"});
}

TEST_CASE("check-config: a projectId without owner is a warning (robot tokens are refused by eas)") {
  std::string eas = R"({"build": {"development": {"channel": "d"}, "preview": {"channel": "p"}, "production": {"channel": "x"}}})";
  auto warnings = [&](const std::string& app) {
    int n = 0;
    for (const auto& f : ota::check_config({.eas_json = eas, .app_config_path = std::string("app.json"), .app_config = app}))
      if (f.rule == ota::ConfigRule::missing_owner) ++n;
    return n;
  };
  CHECK(warnings(R"({"expo": {"runtimeVersion": "1", "extra": {"eas": {"projectId": "x"}}}})") == 1);
  CHECK(warnings(R"({"expo": {"owner": "yonima", "runtimeVersion": "1", "extra": {"eas": {"projectId": "x"}}}})") == 0);
  CHECK(warnings(R"({"expo": {"runtimeVersion": "1"}})") == 0);
}

TEST_CASE("check-config: secrets are recognised by kind, never by printing them") {
  CHECK(ota::secret_kind("EXPO_PUBLIC_MAPBOX_TOKEN", "pk.eyJ1IjoieCJ9.abc").empty());
  CHECK(!ota::secret_kind("EXPO_PUBLIC_MAPBOX_TOKEN", "sk.eyJ1IjoieCJ9.abc").empty());
  CHECK(!ota::secret_kind("X", "sk_live_123").empty());
  CHECK(!ota::secret_kind("X", "AKIAIOSFODNN7EXAMPLE").empty());
  CHECK(ota::secret_kind("X", "AKIAshort").empty());
  CHECK(!ota::secret_kind("X", "postgres://api:pa55@db.example:5432/app").empty());
  CHECK(ota::secret_kind("EXPO_PUBLIC_API_URL", "https://api.example/v1").empty());
  CHECK(ota::secret_kind("EXPO_PUBLIC_SUPABASE_ANON_KEY",
                         "eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoiYW5vbiJ9.sig").empty());  // {"role":"anon"}: public by design
  CHECK(!ota::secret_kind("EXPO_PUBLIC_SUPABASE_KEY", "eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoic2VydmljZV9yb2xlIn0.sig").empty());
  CHECK(!ota::secret_kind("EXPO_PUBLIC_STRIPE_SECRET", "x").empty());
}

TEST_CASE("plan: glob patterns and ref decisions") {
  CHECK(ota::glob_match("v#.#.#", "v1.20.3"));
  CHECK(!ota::glob_match("v#.#.#", "v1.2"));
  CHECK(!ota::glob_match("v#.#.#", "vx.y.z"));
  CHECK(!ota::glob_match("v#.#.#", "v1.2.3-rc.1"));
  CHECK(ota::glob_match("release/*", "release/1.6"));
  CHECK(ota::glob_match("*", ""));
  CHECK(ota::glob_match("a?c", "abc"));
  CHECK(!ota::glob_match(std::string(200, '*') + "b", std::string(5000, 'a')));  // no blow-up
  // '#' is one or more digits, decided with what follows (a greedy '#' refused these).
  CHECK(ota::glob_match("v#5", "v15"));
  CHECK(ota::glob_match("v#.#.#0", "v1.2.30"));
  CHECK(ota::glob_match("v#.#.#-rc#", "v1.2.3-rc12"));
  CHECK(!ota::glob_match("v#5", "v5"));  // one digit at least before the 5
  CHECK(!ota::glob_match("v#", "v"));
  CHECK(ota::glob_match("*#", "build-42"));
  CHECK(!ota::glob_match("#", "4a"));
  CHECK(!ota::glob_match(std::string(300, '#'), std::string(5000, '1') + "x"));  // no blow-up
  auto d = ota::decide(ota::default_rules(), "refs/tags/v1.5.0");
  CHECK(d.action == ota::PipelineAction::release);
  CHECK(d.version == "1.5.0");
  CHECK(ota::decide(ota::default_rules(), "refs/heads/staging").channel == "preview");
  CHECK(ota::decide(ota::default_rules(), "refs/pull/1/merge").action == ota::PipelineAction::none);
  std::string problem;
  CHECK(!ota::parse_rule("branch:x=update", problem));
  CHECK(!problem.empty());
}
