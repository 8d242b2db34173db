// ota-publish check-config: eas.json (JSON5, as eas-cli reads it) and app.json from the repository.
// Input: eas.json, NUL, app config. Invariants: the JSON5 parser never throws and reports a
// position on error; findings point at a line of the file they name and never quote a secret.
#include <algorithm>

#include "fuzz_support.hpp"
#include "ota-publish/eas_config.hpp"
#include "ota-publish/json5.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto [eas, app] = fuzz::split2(fuzz::as_string(data, size));
  auto parsed = ota::json5::parse(eas);
  if (!parsed.value) {
    FUZZ_CHECK(!parsed.error.message.empty(), "a parse error says what");
    FUZZ_CHECK(parsed.error.line >= 1, "a parse error has a line");
  }
  ota::ConfigFiles files;
  files.eas_json = eas;
  if (size % 2 == 0) {
    files.app_config_path = "app.json";
    files.app_config = app;
  }
  std::vector<ota::ProfileChannel> channels;
  auto findings = ota::check_config(files, &channels);
  int eas_lines = 1 + static_cast<int>(std::count(eas.begin(), eas.end(), '\n'));
  int app_lines = 1 + static_cast<int>(std::count(app.begin(), app.end(), '\n'));
  for (const auto& f : findings) {
    FUZZ_CHECK(!f.message.empty(), "a finding says what");
    FUZZ_CHECK(!ota::rule_name(f.rule).empty(), "a finding names its rule");
    int lines = f.file == files.eas_json_path ? eas_lines : app_lines;
    FUZZ_CHECK(f.line >= 0 && f.line <= lines, "a finding's line is in its file");
  }
  return 0;
}
