#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

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

namespace {
kit::ToolSpec with_required() {
  kit::Option url{"url", "endpoint to probe", "", kit::OptionKind::list, "URL"};
  url.required = true;
  kit::Option target{"target", "where to go", "", kit::OptionKind::value, "T"};
  target.required = true;
  kit::Option image{"image", "image reference", "", kit::OptionKind::positional, "REF"};
  image.required = true;
  return {"multi",
          "a tool with commands",
          {url},
          {{"go", "go somewhere", {target}}, {"show", "show an image", {image}}},
          ""};
}
kit::Parsed parse_required(std::vector<std::string> argv, std::map<std::string, std::string> env = {}) {
  argv.insert(argv.begin(), "multi");
  return kit::parse_args(with_required(), argv, kit::Env(env));
}
std::string usage_message(std::vector<std::string> argv, std::map<std::string, std::string> env = {}) {
  try {
    parse_required(std::move(argv), std::move(env));
  } catch (const kit::Error& e) {
    CHECK(e.code() == kit::Exit::usage);
    return e.what();
  }
  return "accepted";
}
}  // namespace

TEST_CASE("a required option may come from the flag or the input, but must come") {
  CHECK(parse_required({"go", "--url", "u", "--target", "t"}).args.list("url") == std::vector<std::string>{"u"});
  CHECK(parse_required({"go"}, {{"INPUT_URL", "u"}, {"INPUT_TARGET", "t"}}).args.str("target") == "t");
  CHECK(usage_message({"go", "--target", "t"}) == "missing --url (or INPUT_URL)");
  CHECK(usage_message({"go", "--url", "u"}) == "missing --target (or INPUT_TARGET)");
  // An empty input counts as unset, and so does a list input of blank lines.
  CHECK(usage_message({"go", "--target", "t"}, {{"INPUT_URL", ""}}) == "missing --url (or INPUT_URL)");
  CHECK(usage_message({"go", "--target", "t"}, {{"INPUT_URL", "\n  \n"}}) == "missing --url (or INPUT_URL)");
  CHECK(usage_message({"go", "--url", "u"}, {{"INPUT_TARGET", ""}}) == "missing --target (or INPUT_TARGET)");
  // A positional is named by its metavar; an option of another command is not required here.
  CHECK(usage_message({"show", "--url", "u"}) == "missing REF (or INPUT_IMAGE)");
  CHECK(parse_required({"show", "--url", "u", "x"}).args.str("image") == "x");
  CHECK(parse_required({"show", "--url", "u"}, {{"INPUT_IMAGE", "x"}}).args.str("image") == "x");
}

TEST_CASE("help, version and --describe-inputs need no required option") {
  CHECK(parse_required({"go", "--help"}).early == kit::Early::help);
  CHECK(parse_required({"--version"}).early == kit::Early::version);
  CHECK(parse_required({"--describe-inputs"}).early == kit::Early::describe_inputs);
  CHECK(parse_required({"go", "--help"}).text.find("endpoint to probe (repeatable) (required)") != std::string::npos);
}

TEST_CASE("--describe-inputs says which inputs are required") {
  auto required_of = [](const std::string& described) {
    std::map<std::string, bool> out;
    for (const auto& input : nlohmann::json::parse(described)) out[input.at("name")] = input.at("required");
    return out;
  };
  // Every command at once (what action.yml is checked against): the command and the shared
  // required option are required; an option only one command requires is not.
  auto all = required_of(parse_required({"--describe-inputs"}).text);
  CHECK(all.at("command"));
  CHECK(all.at("url"));
  CHECK_FALSE(all.at("target"));
  CHECK_FALSE(all.at("image"));
  CHECK_FALSE(all.at("json"));
  // One command: its own requirements show.
  auto go = required_of(parse_required({"go", "--describe-inputs"}).text);
  CHECK(go.at("target"));
  CHECK(go.count("image") == 0);
  // A tool without commands has no command input.
  auto demo_inputs = required_of(kit::parse_args(demo(), {"demo", "--describe-inputs"},
                                                 kit::Env(std::map<std::string, std::string>{})).text);
  CHECK(demo_inputs.count("command") == 0);
  CHECK_FALSE(demo_inputs.at("url"));
}
