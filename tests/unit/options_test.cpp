#include <doctest/doctest.h>

#include "kit/error.hpp"
#include "kit/options.hpp"

namespace {
kit::ToolSpec demo() {
  return {"demo",
          "a demo",
          {},
          {{"",
            "",
            {{"max-attempts", "tries", "3", kit::OptionKind::value, "N"},
             {"url", "urls", "", kit::OptionKind::list, "URL"},
             {"dry-run", "plan only", "", kit::OptionKind::flag},
             {"token", "secret", "", kit::OptionKind::value, "T", true}}}},
          ""};
}
kit::Args parse(std::vector<std::string> argv, std::map<std::string, std::string> env = {}) {
  argv.insert(argv.begin(), "demo");
  return kit::parse_args(demo(), argv, kit::Env(env)).args;
}
}  // namespace

TEST_CASE("input names follow GitHub's mapping") {
  CHECK(kit::input_env_name("max-attempts") == "INPUT_MAX-ATTEMPTS");
  CHECK(kit::input_env_name("dry run") == "INPUT_DRY_RUN");
}

TEST_CASE("flags win over inputs, inputs over defaults; empty inputs are unset") {
  CHECK(parse({}).str("max-attempts") == "3");
  CHECK(parse({}, {{"INPUT_MAX-ATTEMPTS", "7"}}).str("max-attempts") == "7");
  CHECK(parse({"--max-attempts", "9"}, {{"INPUT_MAX-ATTEMPTS", "7"}}).str("max-attempts") == "9");
  CHECK(parse({}, {{"INPUT_MAX-ATTEMPTS", ""}}).str("max-attempts") == "3");
  CHECK_FALSE(parse({}).has("max-attempts"));
}

TEST_CASE("lists repeat on the command line and are one per line in inputs") {
  CHECK(parse({"--url", "a,b", "--url", "c"}).list("url") == std::vector<std::string>{"a,b", "c"});
  CHECK(parse({}, {{"INPUT_URL", "x\n\n  y \r\n"}}).list("url") == std::vector<std::string>{"x", "y"});
}

TEST_CASE("boolean inputs") {
  CHECK(parse({}, {{"INPUT_DRY-RUN", "true"}}).flag("dry-run"));
  CHECK_FALSE(parse({}, {{"INPUT_DRY-RUN", "false"}}).flag("dry-run"));
  CHECK(parse({"--dry-run"}).flag("dry-run"));
  CHECK_THROWS_AS(parse({}, {{"INPUT_DRY-RUN", "maybe"}}), kit::Error);
}

TEST_CASE("unknown flags, repeated single values and stray arguments are usage errors") {
  for (auto argv : std::vector<std::vector<std::string>>{{"--nope"}, {"--max-attempts", "1", "--max-attempts", "2"}, {"stray"}, {"--max-attempts"}}) {
    try {
      parse(argv);
      FAIL("accepted");
    } catch (const kit::Error& e) {
      CHECK(e.code() == kit::Exit::usage);
      CHECK(std::string(e.what()).find('\n') == std::string::npos);
    }
  }
}

TEST_CASE("numbers are checked") {
  CHECK(parse({"--max-attempts", "5"}).integer("max-attempts", 1, 10) == 5);
  CHECK_THROWS_AS(parse({"--max-attempts", "5x"}).integer("max-attempts", 1, 10), kit::Error);
  CHECK_THROWS_AS(parse({"--max-attempts", "50"}).integer("max-attempts", 1, 10), kit::Error);
}

TEST_CASE("help and version are recognised before validation") {
  auto p = kit::parse_args(demo(), {"demo", "--nope", "--help"}, kit::Env(std::map<std::string, std::string>{}));
  CHECK(p.early == kit::Early::help);
  CHECK(p.text.find("--max-attempts") != std::string::npos);
  CHECK(p.text.find("[default: 3]") != std::string::npos);
  CHECK(kit::parse_args(demo(), {"demo", "--version"}, kit::Env(std::map<std::string, std::string>{})).early == kit::Early::version);
}
