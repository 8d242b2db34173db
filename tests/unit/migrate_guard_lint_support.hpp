#pragma once
// Helpers shared by the migrate_guard_lint_*_test.cpp files.
#include <algorithm>
#include <string>
#include <vector>

#include "migrate-guard/lint/lint.hpp"

namespace lint_test {

namespace lint = migrate_guard::lint;

// Rules that fired and were not suppressed, in file order.
inline std::vector<std::string> fired(const std::string& sql) {
  std::vector<std::string> out;
  for (const auto& f : lint::lint_sql("migration.sql", sql).findings) {
    if (!f.suppressed) out.push_back(f.rule);
  }
  return out;
}

inline bool fires(const std::string& sql, const std::string& rule) {
  auto rules = fired(sql);
  return std::find(rules.begin(), rules.end(), rule) != rules.end();
}

inline const lint::Finding* find(const lint::FileReport& report, const std::string& rule) {
  for (const auto& f : report.findings) {
    if (f.rule == rule) return &f;
  }
  return nullptr;
}

// Most cases are about one rule on a live table: keep require-lock-timeout out of the way.
inline std::string timed(const std::string& sql) { return "SET lock_timeout = '5s';\n" + sql; }

}  // namespace lint_test
