#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "kit/error.hpp"
#include "kit/options.hpp"
#include "kit/secrets.hpp"

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

TEST_CASE("an input typed by hand with underscores for the hyphens is read (GitHub's own name wins)") {
  // A shell cannot export INPUT_DRY-RUN: INPUT_DRY_RUN=true was ignored and a restore ran for real.
  CHECK(parse({}, {{"INPUT_DRY_RUN", "true"}}).flag("dry-run"));
  CHECK(parse({}, {{"INPUT_MAX_ATTEMPTS", "5"}}).str("max-attempts") == "5");
  CHECK(parse({}, {{"INPUT_MAX-ATTEMPTS", "7"}, {"INPUT_MAX_ATTEMPTS", "5"}}).str("max-attempts") == "7");
  try {
    parse({}, {{"INPUT_DRY_RUN", "oui"}});
    FAIL("accepted");
  } catch (const kit::Error& e) {
    CHECK(std::string(e.what()).rfind("INPUT_DRY_RUN:", 0) == 0);  // named as the user wrote it
  }
}

TEST_CASE("a secret given as an input is not 'on the command line', whatever its white space") {
  CHECK(parse({"--token", "s3cret"}).on_command_line("token"));
  auto from_input = parse({}, {{"INPUT_TOKEN", "s3cret\n"}});  // @actions/core keeps the newline, we trim
  CHECK(from_input.str("token") == "s3cret");
  CHECK_FALSE(from_input.on_command_line("token"));
  CHECK_FALSE(parse({}).on_command_line("token"));
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

namespace {
std::string demo_usage(std::vector<std::string> argv, std::map<std::string, std::string> env = {}) {
  try {
    parse(std::move(argv), std::move(env));
  } catch (const kit::Error& e) {
    CHECK(e.code() == kit::Exit::usage);
    CHECK(std::string(e.what()).find('\n') == std::string::npos);
    return e.what();
  }
  return "accepted";
}

kit::ToolSpec typed() {
  return {.name = "typed",
          .summary = "typed options",
          .commands = {{.options = {{.name = "jobs", .help = "parallel jobs", .default_value = "4", .type = kit::ValueType::integer},
                                    {.name = "rate", .help = "a share", .type = kit::ValueType::number},
                                    {.name = "wait", .help = "a pause", .type = kit::ValueType::duration}}}}};
}

kit::ToolSpec with_examples() {
  return {.name = "multi",
          .summary = "a tool with commands",
          .commands = {{.name = "go", .summary = "go somewhere"},
                       {.name = "show", .summary = "show an image", .examples = "  multi show OWN-EXAMPLE\n"},
                       {.name = "gone", .summary = "another"}},
          .examples = "  multi go fast\n  multi go far \\\n      --very\n  multi gone away\n  multi show listed\n"};
}
}  // namespace

TEST_CASE("an unknown option is named in our words, with the closest one") {
  CHECK(demo_usage({"--max-atempts", "3"}) == "unknown option --max-atempts; did you mean --max-attempts?");
  CHECK(demo_usage({"--max-atempts=3"}) == "unknown option --max-atempts; did you mean --max-attempts?");
  CHECK(demo_usage({"--frobnicate"}) == "unknown option --frobnicate");
  CHECK(demo_usage({"-x"}) == "unknown option -x");
  CHECK(demo_usage({"--max-attempts"}).rfind("--max-attempts needs a value", 0) == 0);
  // A hostile name stays one short line.
  CHECK(demo_usage({"--a\nb::error::x"}) == "unknown option --a\\nb::error::x");
}

TEST_CASE("--name=VALUE of any length is split, not run through a regex (crashed past ~32 KB)") {
  std::string big(200'000, 'x');
  CHECK(parse({"--url=" + big, "--url=b=c"}).list("url") == std::vector<std::string>{big, "b=c"});
  CHECK(parse({"--token", "-starts-with-dash"}).str("token") == "-starts-with-dash");
  CHECK(parse({"--dry-run=FALSE"}).flag("dry-run") == false);
  CHECK(parse({"--dry-run=True"}).flag("dry-run"));
  CHECK(demo_usage({"--dry-run=yes"}) == "--dry-run: 'yes' is not a boolean (use true or false)");
  CHECK(demo_usage({"stray-" + big}).size() < 200);
}

TEST_CASE("inputs are trimmed; booleans as @actions/core reads them") {
  CHECK(parse({}, {{"INPUT_MAX-ATTEMPTS", "  7 \n"}}).str("max-attempts") == "7");
  CHECK(parse({}, {{"INPUT_MAX-ATTEMPTS", "   "}}).str("max-attempts") == "3");  // blank = unset
  for (const char* t : {"true", "True", "TRUE", " true\n"}) CHECK(parse({}, {{"INPUT_DRY-RUN", t}}).flag("dry-run"));
  for (const char* f : {"false", "False", "FALSE"}) CHECK_FALSE(parse({}, {{"INPUT_DRY-RUN", f}}).flag("dry-run"));
  for (const char* bad : {"yes", "1", "on", "maybe"})
    CHECK(demo_usage({}, {{"INPUT_DRY-RUN", bad}}) == "INPUT_DRY-RUN: '" + std::string(bad) + "' is not a boolean (use true or false)");
}

TEST_CASE("typed options are checked while parsing, from flags and inputs alike") {
  auto run = [](std::vector<std::string> argv, std::map<std::string, std::string> env = {}) -> std::string {
    argv.insert(argv.begin(), "typed");
    try {
      kit::parse_args(typed(), argv, kit::Env(env));
      return "accepted";
    } catch (const kit::Error& e) {
      CHECK(e.code() == kit::Exit::usage);
      return e.what();
    }
  };
  CHECK(run({}, {{"INPUT_JOBS", "abc"}}) == "INPUT_JOBS: 'abc' is not a whole number");
  CHECK(run({"--jobs", "1.5"}) == "--jobs: '1.5' is not a whole number");
  CHECK(run({"--rate", "nan"}) == "--rate: 'nan' is not a number");
  CHECK(run({"--rate=inf"}) == "--rate: 'inf' is not a number");
  CHECK(run({}, {{"INPUT_WAIT", "soon"}}).rfind("INPUT_WAIT: 'soon' is not a duration", 0) == 0);
  CHECK(run({"--jobs", "8", "--rate", "0.5", "--wait", "2s"}) == "accepted");
  CHECK(run({}) == "accepted");  // defaults are the tool's own business
  // Without .type, the metavar N or DURATION (what --help promises) is checked as such.
  CHECK(demo_usage({}, {{"INPUT_MAX-ATTEMPTS", "abc"}}) == "INPUT_MAX-ATTEMPTS: 'abc' is not a whole number");
  CHECK(demo_usage({"--max-attempts=1x"}) == "--max-attempts: '1x' is not a whole number");
}

TEST_CASE("Args::integer and Args::number are strict") {
  CHECK_THROWS_AS(parse({"--max-attempts", "nan"}).number("max-attempts", 0, 1), kit::Error);
  CHECK_THROWS_AS(parse({"--max-attempts", "5 "}).integer("max-attempts", 1, 10), kit::Error);
  CHECK(parse({"--url", "0.5"}).number("url", 0, 1) == doctest::Approx(0.5));
  CHECK_THROWS_AS(parse({"--url", "inf"}).number("url", 0, 1), kit::Error);
}

TEST_CASE("`help COMMAND` and per-command help show that command's examples only") {
  auto env = kit::Env(std::map<std::string, std::string>{});
  auto help = [&](std::vector<std::string> argv) { return kit::parse_args(with_examples(), argv, env); };
  auto go = help({"multi", "help", "go"});
  CHECK(go.early == kit::Early::help);
  CHECK(go.text.find("multi go fast") != std::string::npos);
  CHECK(go.text.find("multi go far \\\n      --very") != std::string::npos);  // continuation line kept
  CHECK(go.text.find("multi gone away") == std::string::npos);
  CHECK(go.text.find("multi show") == std::string::npos);
  CHECK(help({"multi", "go", "--help"}).text == go.text);
  auto show = help({"multi", "help", "show"}).text;
  CHECK(show.find("OWN-EXAMPLE") != std::string::npos);
  CHECK(show.find("multi show listed") == std::string::npos);
  auto top = help({"multi", "help"}).text;
  CHECK(top.find("multi gone away") != std::string::npos);
  CHECK(top.find("multi help COMMAND") != std::string::npos);
  try {
    help({"multi", "help", "goo"});
    FAIL("accepted");
  } catch (const kit::Error& e) {
    CHECK(std::string(e.what()) == "unknown command 'goo'; did you mean go? (one of: go, show, gone)");
  }
  try {
    help({"multi", "shw"});
    FAIL("accepted");
  } catch (const kit::Error& e) {
    CHECK(std::string(e.what()).rfind("unknown command 'shw'; did you mean show?", 0) == 0);
  }
  // A one-command tool: `help` is its help.
  CHECK(kit::parse_args(demo(), {"demo", "help"}, env).early == kit::Early::help);
}

TEST_CASE("a secret option holding a URL masks its credentials, not which database it names") {
  kit::secrets().clear();
  parse({"--token", "postgresql://app@127.0.0.1:5432/app"});
  CHECK(kit::secrets().redact("database: postgresql://app@127.0.0.1:5432/app") == "database: postgresql://app@127.0.0.1:5432/app");
  parse({"--token", "postgresql://app:S3cret-pw@db.example:5432/app"});
  CHECK(kit::secrets().redact("S3cret-pw") == "***");
  CHECK(kit::secrets().redact("db.example:5432/app") == "db.example:5432/app");
  // An unencoded '@' or '#' in the password: which part is the password is not sure, all is masked.
  parse({"--token", "postgresql://app:p@ss#word@db.example/app"});
  CHECK(kit::secrets().redact("x postgresql://app:p@ss#word@db.example/app") == "x ***");
  parse({"--token", "sbp_plain-token"});
  CHECK(kit::secrets().redact("sbp_plain-token") == "***");
  kit::secrets().clear();
}

TEST_CASE("--describe-inputs: an input several commands take says what each makes of it") {
  kit::ToolSpec spec{"demo2",
                     "two commands",
                     {},
                     {{"promote", "", {{"to", "tags to move", "", kit::OptionKind::value, "TAGS"}}},
                      {"rollback", "", {{"to", "digest to go back to", "", kit::OptionKind::value, "DIGEST"},
                                        {"wait", "how long", "5m", kit::OptionKind::value, "D"}}},
                      {"watch", "", {{"wait", "how long", "1h", kit::OptionKind::value, "D"}}}},
                     ""};
  auto inputs = nlohmann::json::parse(kit::parse_args(spec, {"demo2", "--describe-inputs"}, kit::Env(std::map<std::string, std::string>{})).text);
  auto input = [&](const std::string& name) {
    for (const auto& i : inputs)
      if (i["name"] == name) return i;
    FAIL("no input " << name);
    return nlohmann::json();
  };
  CHECK(input("to")["description"] == "[promote] tags to move; [rollback] digest to go back to");
  // A default one command has and another has not cannot be the input's: it would reach both.
  CHECK(input("wait")["default"] == "");
  CHECK(input("wait")["description"] == "[rollback] how long (default: 5m); [watch] how long (default: 1h)");
}
