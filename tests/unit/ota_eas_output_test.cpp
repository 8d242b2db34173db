#include <doctest/doctest.h>

#include <string>

#include "ota-publish/eas_output.hpp"
#include "kit/text.hpp"
#include "ota-publish/untrusted_text.hpp"

namespace {
const std::string G1 = "0f5c2a4e-1111-4222-8333-944455556666";
const std::string U1 = "1a2b3c4d-1111-4222-8333-944455556666";
const std::string U2 = "2a2b3c4d-1111-4222-8333-944455556666";

std::string publish_json() {
  return "[\n  {\n    \"id\": \"" + U1 + "\",\n    \"group\": \"" + G1 +
         "\",\n    \"branch\": \"production\",\n    \"runtimeVersion\": \"1.0.0\",\n    \"platform\": \"android\",\n"
         "    \"manifestPermalink\": \"https://u.expo.dev/update/x\", \"isRollBackToEmbedded\": false\n  },\n"
         "  {\"id\": \"" + U2 + "\", \"group\": \"" + G1 + "\", \"branch\": \"production\", \"runtimeVersion\": \"1.0.0\", \"platform\": \"ios\"}\n]\n";
}
}  // namespace

TEST_CASE("eas output: updates from eas update --json, with stray lines around them") {
  auto r = ota::read_updates(publish_json());
  REQUIRE(r);
  CHECK(r.value->size() == 2);
  CHECK((*r.value)[0].group == G1);
  CHECK((*r.value)[1].platform == "ios");
  CHECK((*r.value)[0].runtime_version == "1.0.0");

  std::string stray = "npm notice New version\n{\"level\":\"warn\",\"msg\":\"plugin\"}\n[1, 2]\n" + publish_json() + "Done.\n{\"tail\": true}\n";
  auto s = ota::read_updates(stray);
  REQUIRE(s);
  CHECK(s.value->size() == 2);
}

TEST_CASE("eas output: republish's raw objects (runtime{version}, branch{name})") {
  std::string raw = "[{\"id\":\"" + U1 + "\",\"group\":\"" + G1 +
                    "\",\"runtime\":{\"id\":\"r\",\"version\":\"2.1.0\"},\"platform\":\"ios\",\"branch\":{\"id\":\"b\",\"name\":\"main\"},"
                    "\"rolloutPercentage\":25}]";
  auto r = ota::read_updates(raw);
  REQUIRE(r);
  CHECK((*r.value)[0].runtime_version == "2.1.0");
  CHECK((*r.value)[0].branch == "main");
  CHECK((*r.value)[0].rollout_percentage == 25);
}

TEST_CASE("eas output: what is not an update list is said, safely") {
  CHECK(ota::read_updates("").problem.find("nothing on stdout") != std::string::npos);
  CHECK(ota::read_updates("[\n {\"id\": 1").problem.find("partial output") != std::string::npos);
  CHECK(ota::read_updates("[{\"id\": \"not-a-uuid\", \"group\": \"x\", \"platform\": \"ios\"}]").problem.find("not list of published updates") !=
        std::string::npos);
  auto hostile = ota::read_updates(std::string("::error::pwned\n\x1b[31m\x00\xff{\"a\":", 27));
  CHECK(!hostile);
  CHECK(hostile.problem.find("\\x1B") != std::string::npos);
  CHECK(hostile.problem.find("\n") == std::string::npos);
  CHECK(kit::valid_utf8(hostile.problem) == hostile.problem);
  // Deep nesting is refused before the JSON parser recurses into it.
  CHECK(ota::read_updates(std::string(1 << 20, '[')).problem.find("nested deeper") != std::string::npos);
  // Invalid UTF-8 inside a string is not JSON.
  CHECK(!ota::read_updates("[{\"id\": \"\xff\xfe\"}]"));
}

TEST_CASE("eas output: channel:view and update:list") {
  std::string view = R"({"currentPage": {"id": "c1", "name": "production", "isPaused": false,
    "branchMapping": "{\"version\":0,\"data\":[{\"branchId\":\"b1\",\"branchMappingLogic\":\"true\"}]}",
    "updateBranches": [{"id": "b1", "name": "production", "updateGroups": [[
      {"id": ")" + U1 + R"(", "group": ")" + G1 + R"(", "message": "fix", "runtime": {"version": "1.0.0"}, "platform": "android",
       "isRollBackToEmbedded": false, "branch": {"id": "b1", "name": "production"}},
      {"id": ")" + U2 + R"(", "group": ")" + G1 + R"(", "message": "fix", "runtime": {"version": "1.0.0"}, "platform": "ios"}]]}]}})";
  auto c = ota::read_channel(view);
  REQUIRE(c);
  CHECK(c.value->name == "production");
  CHECK(c.value->mapped_branch_ids == std::vector<std::string>{"b1"});
  REQUIRE(c.value->branches.size() == 1);
  REQUIRE(c.value->branches[0].latest);
  CHECK(c.value->branches[0].latest->group == G1);
  CHECK(c.value->branches[0].latest->platforms == "android, ios");

  std::string list = R"({"name": "production", "id": "b1", "currentPage": [
    {"branch": "production", "message": "\"b\" [1 minute ago by ci]", "runtimeVersion": "1.0.0", "isRollBackToEmbedded": true,
     "group": ")" + G1 + R"(", "platforms": "android, ios"}]})";
  auto l = ota::read_update_list(list);
  REQUIRE(l);
  REQUIRE(l.value->size() == 1);
  CHECK((*l.value)[0].roll_back_to_embedded);
  auto empty = ota::read_update_list(R"({"name": "b", "id": "x", "currentPage": []})");
  REQUIRE(empty);
  CHECK(empty.value->empty());
}

TEST_CASE("eas output: channel:rollout and the error line") {
  auto r = ota::read_rollout(R"({"hasRollout": true, "currentRolloutInfo": {"defaultBranch": {"id": "a", "name": "main"},
    "rolledOutBranch": {"id": "b", "name": "next"}, "percentRolledOut": 30, "runtimeVersion": "1.0.0"}})");
  REQUIRE(r);
  CHECK(r.value->has_rollout);
  REQUIRE(r.value->current);
  CHECK(r.value->current->percent == 30);
  CHECK(r.value->current->rolled_out_branch == "next");
  CHECK(!ota::read_rollout(R"({"hasRollout": "yes"})"));

  CHECK(ota::eas_error_line("Uploading\nError: GraphQL failed\n    at x (y.js:1)\n") == "Error: GraphQL failed");
  CHECK(ota::eas_error_line("just this\n\n") == "just this");
  CHECK(ota::eas_error_line("") == "");
  CHECK(ota::eas_error_line("::set-output name=x::y") == " ::set-output name=x::y");
}

TEST_CASE("untrusted text: valid UTF-8, control characters, length") {
  CHECK(kit::valid_utf8("Thiès 数据库") == "Thiès 数据库");
  CHECK(kit::valid_utf8("a\xff" "b") == "a\xEF\xBF\xBD" "b");
  CHECK(kit::valid_utf8("\xed\xa0\x80") == "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // a surrogate is invalid
  CHECK(ota::shown("a\nb\x1b") == "a\\x0Ab\\x1B");
  std::string cut = ota::shown("ééééé", 4);
  CHECK(cut == "éé\xE2\x80\xA6");
  CHECK(ota::shown("::error::x").rfind("::", 0) != 0);
}

TEST_CASE("eas output: a lone UTF-16 surrogate (as Node's JSON.stringify writes it) does not make the answer unreadable") {
  auto with_message = [](const std::string& message) {
    return "[{\"id\": \"" + U1 + "\", \"group\": \"" + G1 + "\", \"platform\": \"ios\", \"message\": \"" + message + "\"}]\n";
  };
  auto lone = ota::read_updates(with_message("fix \\udcff login \\ud83d"));
  REQUIRE(lone);
  CHECK((*lone.value)[0].message == "fix \xEF\xBF\xBD login \xEF\xBF\xBD");
  auto pair = ota::read_updates(with_message("\\ud83d\\ude80 \\\\udcff \\u00e9"));  // a pair, an escaped backslash, é
  REQUIRE(pair);
  CHECK((*pair.value)[0].message == "\xF0\x9F\x9A\x80 \\udcff \xC3\xA9");
}
