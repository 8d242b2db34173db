// Migration SQL through the linter (libpg_query, then every rule). Input: SQL; a NUL splits it into
// two migrations linted as one history (renames and created tables followed across files).
// Invariants: every finding points inside the file and at a statement that exists.
#include <algorithm>

#include "fuzz_support.hpp"
#include "migrate-guard/lint/lint.hpp"

namespace {
void check(const migrate_guard::lint::FileReport& r, const std::string& sql) {
  int lines = 1 + static_cast<int>(std::count(sql.begin(), sql.end(), '\n'));
  FUZZ_CHECK(r.statements >= 0, "statement count");
  FUZZ_CHECK(r.spans.size() == static_cast<size_t>(r.statements) || r.syntax_error, "one span per statement");
  for (const auto& f : r.findings) {
    FUZZ_CHECK(!f.rule.empty() && !f.message.empty(), "a finding names its rule and says what");
    FUZZ_CHECK(f.line >= 0 && f.line <= lines + 1, "a finding's line is in the file");
    FUZZ_CHECK(f.statement >= 0 && (f.statement < static_cast<int>(std::max<size_t>(r.spans.size(), 1)) || r.syntax_error),
               "a finding's statement exists");
  }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto [first, second] = fuzz::split2(fuzz::as_string(data, size));
  if (second.empty()) {
    check(migrate_guard::lint::lint_sql("migration.sql", first), first);
    return 0;
  }
  // One parse worker: the same history pass, without starting threads on every execution (their
  // cost, and ASan's per-thread memory, dominated long runs; threading is covered by the TSan run).
  migrate_guard::lint::Options options;
  options.parse_workers = 1;
  auto reports = migrate_guard::lint::lint_sequence({{"1/migration.sql", first, true}, {"2/migration.sql", second, true}}, options);
  FUZZ_CHECK(reports.size() == 2, "a report per linted file");
  check(reports[0], first);
  check(reports[1], second);
  return 0;
}
