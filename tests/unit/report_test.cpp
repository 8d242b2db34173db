#include <doctest/doctest.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "kit/report.hpp"
#include "kit/secrets.hpp"

TEST_CASE("annotations escape data and properties like the actions toolkit") {
  kit::Location where{"prisma/migrations/1_init/migration.sql", 12, 0, 5, "lint: drop, column"};
  auto line = kit::format_annotation(kit::Severity::error, "100% bad\nsecond line", where);
  CHECK(line == "::error file=prisma/migrations/1_init/migration.sql,line=12,col=5,title=lint%3A drop%2C column::100%25 bad%0Asecond line");
  CHECK(kit::format_annotation(kit::Severity::notice, "ok", {}) == "::notice::ok");
}

TEST_CASE("outputs: single line as name=value, multi-line with a delimiter not in the value") {
  CHECK(kit::format_output_entry("digest", "sha256:abc") == "digest=sha256:abc\n");
  std::string entry = kit::format_output_entry("reason", "line one\nline two");
  auto first_nl = entry.find('\n');
  std::string head = entry.substr(0, first_nl);
  REQUIRE(head.rfind("reason<<ghadelimiter_", 0) == 0);
  std::string delim = head.substr(std::string("reason<<").size());
  CHECK(entry == "reason<<" + delim + "\nline one\nline two\n" + delim + "\n");
  CHECK(kit::format_output_entry("x", "a\nb") != kit::format_output_entry("x", "a\nb"));  // random each time
}

TEST_CASE("the report writes outputs and summary files, redacting secrets") {
  kit::secrets().add("s3cr3t-token");
  char out_path[] = "/tmp/kit-out-XXXXXX";
  char sum_path[] = "/tmp/kit-sum-XXXXXX";
  close(mkstemp(out_path));
  close(mkstemp(sum_path));
  {
    kit::Env env(std::map<std::string, std::string>{{"GITHUB_OUTPUT", out_path}, {"GITHUB_STEP_SUMMARY", sum_path}});
    kit::Report report(env, "demo", false);
    report.output("healthy", "true");
    report.output("reason", "token s3cr3t-token\nleaked?");
    report.summary("| a |\n| s3cr3t-token |\n");
    report.finish(kit::Exit::ok, "done");
  }
  std::stringstream out, sum;
  out << std::ifstream(out_path).rdbuf();
  sum << std::ifstream(sum_path).rdbuf();
  CHECK(out.str().find("healthy=true\n") == 0);
  CHECK(out.str().find("token ***\nleaked?") != std::string::npos);
  CHECK(out.str().find("s3cr3t") == std::string::npos);
  CHECK(sum.str().find("| *** |") != std::string::npos);
  std::remove(out_path);
  std::remove(sum_path);
  kit::secrets().clear();
}

TEST_CASE("markdown tables escape pipes and newlines") {
  CHECK(kit::markdown_table({"a", "b"}, {{"x|y", "1\n2"}}) == "| a | b |\n| --- | --- |\n| x\\|y | 1 2 |\n");
}

TEST_CASE("outputs keep their type in --json and are text in $GITHUB_OUTPUT; lists one item per line") {
  char out_path[] = "/tmp/kit-out-XXXXXX";
  close(mkstemp(out_path));
  kit::Env env(std::map<std::string, std::string>{{"GITHUB_OUTPUT", out_path}});
  std::stringstream captured;
  auto* old = std::cout.rdbuf(captured.rdbuf());
  {
    kit::Report report(env, "demo", true);
    report.output("healthy", true);
    report.output("attempts", size_t{3});
    report.output("rate", 0.25);
    report.output("reason", "text");
    report.output("applied", std::vector<std::string>{"1_init", "2_users\nsmuggled"});
    report.result("detail", nlohmann::json("caf\xe9 cut in the middle of \xc3"));  // invalid UTF-8 must not throw
    report.print("not printed under --json");
    report.finish(kit::Exit::ok, "done \xff");
  }
  std::cout.rdbuf(old);
  auto j = nlohmann::json::parse(captured.str());
  CHECK(j["outputs"]["healthy"] == true);
  CHECK(j["outputs"]["attempts"] == 3);
  CHECK(j["outputs"]["rate"] == 0.25);
  CHECK(j["outputs"]["reason"] == "text");
  CHECK(j["outputs"]["applied"] == nlohmann::json::array({"1_init", "2_users smuggled"}));
  CHECK(j["detail"].get<std::string>().find("caf") == 0);
  CHECK(captured.str().find("not printed") == std::string::npos);
  std::stringstream out;
  out << std::ifstream(out_path).rdbuf();
  CHECK(out.str().find("healthy=true\n") != std::string::npos);
  CHECK(out.str().find("attempts=3\n") != std::string::npos);
  CHECK(out.str().find("rate=0.25\n") != std::string::npos);
  CHECK(out.str().find("\n1_init\n2_users smuggled\n") != std::string::npos);
  std::remove(out_path);
}

TEST_CASE("untrusted text printed by a tool cannot become a workflow command") {
  CHECK(kit::escape_line("::add-mask::x") == "\\::add-mask::x");
  CHECK(kit::escape_line("  ::stop-commands::t") == "  \\::stop-commands::t");
  CHECK(kit::escape_line("entry\n::error::pwned\x1b[2J") == "entry\\n::error::pwned\\x1b[2J");
  CHECK(kit::format_annotation(kit::Severity::error, std::string("a\0b\x1b", 4), {}) == "::error::a\\x00b\\x1b");
  std::stringstream captured;
  auto* old = std::cout.rdbuf(captured.rdbuf());
  {
    kit::Report report(kit::Env(std::map<std::string, std::string>{}), "demo", false);
    report.print("::error::from a registry\n::add-mask::x");
  }
  std::cout.rdbuf(old);
  CHECK(captured.str() == "\\::error::from a registry\\n::add-mask::x\n");
}

TEST_CASE("the --json result is redacted the same whether passed by copy or moved (in-place fast path)") {
  kit::secrets().clear();
  kit::secrets().add("s3cr3t-token");
  nlohmann::json value = {{"plain", "nothing to hide — café"},
                          {"url", "postgres://u:hunter2@h/db?token=abc"},
                          {"list", {"a s3cr3t-token b", 7, true, nullptr}},
                          {"nested", {{"s3cr3t-token", "key holds the secret"}, {"ok", "x"}}}};
  auto render = [&](bool move) {
    kit::Env env(std::map<std::string, std::string>{});
    std::stringstream captured;
    auto* old = std::cout.rdbuf(captured.rdbuf());
    {
      kit::Report report(env, "demo", true);
      CHECK_FALSE(report.wants_summary());  // no $GITHUB_STEP_SUMMARY
      if (move) report.result("r", nlohmann::json(value));
      else report.result("r", static_cast<const nlohmann::json&>(value));
      report.finish(kit::Exit::ok, "done");
    }
    std::cout.rdbuf(old);
    return captured.str();
  };
  std::string copied = render(false), moved = render(true);
  CHECK(copied == moved);
  auto r = nlohmann::json::parse(moved)["r"];
  CHECK(r["plain"] == "nothing to hide — café");
  CHECK(r["url"] == "postgres://u:***@h/db?token=***");
  CHECK(r["list"] == nlohmann::json::array({"a *** b", 7, true, nullptr}));
  CHECK(r["nested"] == nlohmann::json({{"***", "key holds the secret"}, {"ok", "x"}}));
  CHECK(moved.find("s3cr3t") == std::string::npos);
  CHECK(moved.find("hunter2") == std::string::npos);
  kit::secrets().clear();
}

TEST_CASE("Report::wants_summary follows $GITHUB_STEP_SUMMARY") {
  kit::Env env(std::map<std::string, std::string>{{"GITHUB_STEP_SUMMARY", "/dev/null"}});
  kit::Report report(env, "demo", false);
  CHECK(report.wants_summary());
}
