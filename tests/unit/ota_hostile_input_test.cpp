#include <doctest/doctest.h>

#include <random>
#include <string>
#include <vector>

#include "kit/secrets.hpp"
#include "kit/text.hpp"
#include "ota-publish/eas_config.hpp"
#include "ota-publish/eas_output.hpp"
#include "ota-publish/json5.hpp"
#include "ota-publish/ref_plan.hpp"
#include "ota-publish/untrusted_text.hpp"

// A bounded stand-in for the fuzz harnesses to come: mutations of real documents and random bytes
// through every reader of untrusted input. Nothing may throw or crash, and every problem text is
// safe to print (valid UTF-8, one line).
TEST_CASE("hostile input: eas output, eas.json and refs never break the readers") {
  const std::vector<std::string> seeds = {
      R"([{"id":"1a2b3c4d-1111-4222-8333-944455556666","group":"0f5c2a4e-1111-4222-8333-944455556666","platform":"ios","runtimeVersion":"1.0.0"}])",
      R"({"currentPage":{"id":"c","name":"production","branchMapping":"{\"version\":0,\"data\":[{\"branchId\":\"b\"}]}","updateBranches":[{"id":"b","name":"p","updateGroups":[[{"group":"0f5c2a4e-1111-4222-8333-944455556666"}]]}]}})",
      R"({"name":"b","id":"x","currentPage":[{"group":"0f5c2a4e-1111-4222-8333-944455556666","runtimeVersion":"1"}]})",
      R"({"hasRollout":true,"currentRolloutInfo":{"percentRolledOut":10}})",
      "// c\n{build: {production: {channel: 'production', env: {EXPO_PUBLIC_X: 'sk.eyJ'}, extends: 'production'},},}",
  };
  std::mt19937 rng(20261128);
  auto byte = [&] { return static_cast<char>(rng() & 0xFF); };
  for (int i = 0; i < 3000; ++i) {
    std::string doc = seeds[i % seeds.size()];
    int edits = 1 + static_cast<int>(rng() % 8);
    for (int e = 0; e < edits && !doc.empty(); ++e) {
      size_t at = rng() % doc.size();
      switch (rng() % 5) {
        case 0: doc[at] = byte(); break;
        case 1: doc.insert(at, 1, byte()); break;
        case 2: doc.erase(at, 1 + rng() % 4); break;
        case 3: doc.insert(at, std::string(1 + rng() % 300, "[{\"'\n"[rng() % 5])); break;
        default: {  // escapes cut anywhere: lone and paired surrogates, doubled backslashes
          static const char* escapes[] = {"\\ud83d", "\\ude80", "\\ud83d\\ude80", "\\\\", "\\u", "\\uDFFF\\", "\\\\ud800"};
          doc.insert(at, escapes[rng() % 7]);
          break;
        }
      }
    }
    auto check = [&](const std::string& problem) {
      CHECK(kit::valid_utf8(problem) == problem);
      CHECK(problem.find('\n') == std::string::npos);
    };
    auto u = ota::read_updates(doc);
    if (!u) check(u.problem);
    auto c = ota::read_channel(doc);
    if (!c) check(c.problem);
    auto l = ota::read_update_list(doc);
    if (!l) check(l.problem);
    auto r = ota::read_rollout(doc);
    if (!r) check(r.problem);
    ota::json5::parse(doc);
    for (const auto& f : ota::check_config({.eas_json = doc, .app_config_path = std::string("app.config.js"), .app_config = doc})) {
      CHECK(f.line >= 0);
      CHECK(!f.message.empty());
    }
    ota::decide(ota::default_rules(), doc);
    std::string problem;
    ota::parse_rule(doc, problem);
    ota::eas_error_line(doc);
  }
}

TEST_CASE("hostile input: eas output that reflects EXPO_TOKEN past the cut shows no part of it") {
  kit::secrets().clear();
  const std::string token = "expo-robot-token-SECRET123";
  kit::secrets().add(token);
  for (size_t before : {0, 101, 110, 280, 290, 299}) {
    std::string line = "Error: " + std::string(before, 'x') + token;
    for (size_t max : {120, 300, 400}) {
      std::string s = ota::shown(line, max);
      CHECK(s.find("expo-robot") == std::string::npos);
      CHECK(s.find("SECRET") == std::string::npos);
    }
  }
  kit::secrets().clear();
}
