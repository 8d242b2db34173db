#pragma once
// The bridge between migrations and the linter library (lint/): run it, count, render findings
// as annotations, a summary table and JSON. Used by `lint` and by `deploy`'s refusal.
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "kit/report.hpp"
#include "migrate-guard/lint/lint.hpp"
#include "migrate-guard/migrations.hpp"

namespace migrate_guard {

struct LintRun {
  std::vector<lint::FileReport> files;
  int statements = 0;
  int errors = 0;      // unsuppressed
  int warnings = 0;    // unsuppressed
  int suppressed = 0;
};

bool linter_built();  // false when this binary was built without lint/
// The --disable-rule values (items may be comma-separated) as rule names; a name that is not a rule
// is a usage error (exit 2) whose one line names the closest rule and every known one.
std::vector<std::string> disabled_rule_names(const std::vector<std::string>& values);
// Lints `selected` (pointers into folder.migrations), reading the earlier migrations for context.
// `disabled_rules` goes through disabled_rule_names.
// `default_schema`: what unqualified table names resolve to in Finding::table (deploy: the URL's ?schema=).
LintRun lint_migrations(const MigrationsFolder& folder, const std::vector<const Migration*>& selected,
                        const std::vector<std::string>& disabled_rules, const std::string& default_schema = "public");
void annotate_findings(kit::Report& report, const LintRun& run);
std::string lint_markdown(const LintRun& run);
nlohmann::json lint_json(const LintRun& run);

}  // namespace migrate_guard
