#include "migrate-guard/lint_runner.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

#include "kit/error.hpp"
#include "kit/log.hpp"

namespace migrate_guard {

bool linter_built() {
#ifdef MIGRATE_GUARD_HAVE_LINT
  return true;
#else
  return false;
#endif
}

LintRun lint_migrations(const MigrationsFolder& folder, const std::vector<const Migration*>& selected,
                        const std::vector<std::string>& disabled_rules) {
  LintRun run;
#ifdef MIGRATE_GUARD_HAVE_LINT
  lint::Options options;
  for (const auto& r : disabled_rules) options.disabled_rules.insert(r);
  // Every earlier migration is read too: the column types it declared tell a safe varchar
  // widening from a table rewrite, and its tables count as existing ones.
  std::vector<lint::MigrationFile> files;
  for (const auto& m : folder.migrations)
    files.push_back({m.path, m.sql, std::find(selected.begin(), selected.end(), &m) != selected.end()});
  for (auto& f : lint::lint_sequence(files, options)) {
    run.statements += f.statements;
    for (const auto& finding : f.findings) {
      if (finding.suppressed) ++run.suppressed;
      else if (finding.severity == lint::Severity::error) ++run.errors;
      else ++run.warnings;
    }
    run.files.push_back(std::move(f));
  }
#else
  (void)folder;
  (void)selected;
  (void)disabled_rules;
  throw kit::environment_error("this migrate-guard was built without the linter (tools/migrate-guard/lint)",
                               "rebuild with lint/ present, or deploy with --skip-lint");
#endif
  return run;
}

void annotate_findings(kit::Report& report, const LintRun& run) {
  for (const auto& f : run.files)
    for (const auto& x : f.findings) {
      if (x.suppressed) continue;
      std::string msg = x.rule + ": " + x.message + (x.hint.empty() ? "" : " — " + x.hint);
      report.annotate(x.severity == lint::Severity::error ? kit::Severity::error : kit::Severity::warning, msg,
                      {.file = f.path, .line = x.line, .end_line = x.end_line, .col = x.col, .title = "migrate-guard lint: " + x.rule});
      kit::log::info(f.path + ":" + std::to_string(x.line) + ":" + std::to_string(x.col) + ": " +
                     (x.severity == lint::Severity::error ? "error" : "warning") + ": " + msg);
    }
}

std::string lint_markdown(const LintRun& run) {
  std::vector<std::vector<std::string>> per_file, findings;
  for (const auto& f : run.files) {
    int e = 0, w = 0, s = 0;
    for (const auto& x : f.findings) {
      if (x.suppressed) ++s;
      else if (x.severity == lint::Severity::error) ++e;
      else ++w;
      findings.push_back({f.path + ":" + std::to_string(x.line) + ":" + std::to_string(x.col), x.rule,
                          x.suppressed ? "suppressed" : x.severity == lint::Severity::error ? "error" : "warning",
                          x.suppressed ? x.suppress_reason : x.message});
    }
    per_file.push_back({f.path, std::to_string(f.statements), std::to_string(e), std::to_string(w), std::to_string(s),
                        f.syntax_error ? "syntax error" : ""});
  }
  std::string md = kit::markdown_table({"file", "statements", "errors", "warnings", "suppressed", "note"}, per_file);
  if (!findings.empty()) md += "\n" + kit::markdown_table({"where", "rule", "severity", "message"}, findings);
  return md;
}

nlohmann::json lint_json(const LintRun& run) {
  nlohmann::json files = nlohmann::json::array();
  for (const auto& f : run.files) {
    nlohmann::json fs = nlohmann::json::array();
    for (const auto& x : f.findings)
      fs.push_back({{"rule", x.rule},
                    {"severity", x.severity == lint::Severity::error ? "error" : "warning"},
                    {"message", x.message},
                    {"hint", x.hint},
                    {"line", x.line},
                    {"col", x.col},
                    {"end_line", x.end_line},
                    {"suppressed", x.suppressed},
                    {"suppress_reason", x.suppress_reason},
                    {"table", x.table},
                    {"table_origin", lint::table_origin_name(x.table_origin)},
                    {"table_created_in", x.table_created_in}});
    files.push_back({{"path", f.path}, {"statements", f.statements}, {"syntax_error", f.syntax_error}, {"findings", fs}});
  }
  return {{"files", files}, {"statements", run.statements}, {"errors", run.errors}, {"warnings", run.warnings},
          {"suppressed", run.suppressed}};
}

}  // namespace migrate_guard
