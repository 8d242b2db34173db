#include "migrate-guard/lint_runner.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

#include "kit/error.hpp"
#include "kit/log.hpp"
#include "kit/text.hpp"

namespace migrate_guard {

bool linter_built() {
#ifdef MIGRATE_GUARD_HAVE_LINT
  return true;
#else
  return false;
#endif
}

namespace {

// Levenshtein distance: enough to turn `require-lock-timout` into `require-lock-timeout`.
std::size_t distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

}  // namespace

std::vector<std::string> disabled_rule_names(const std::vector<std::string>& values) {
  std::vector<std::string> names = kit::split_commas(values);
  for (const auto& name : names) {
    const auto& all = lint::rules();
    if (std::any_of(all.begin(), all.end(), [&](const lint::RuleInfo& r) { return r.name == name; })) continue;
    std::string best;
    std::size_t best_distance = std::string::npos;
    std::vector<std::string> known;
    for (const auto& r : all) {
      known.push_back(r.name);
      std::size_t d = distance(kit::lower(name), r.name);
      if (d < best_distance) best_distance = d, best = r.name;
    }
    // Only suggest a name that is plausibly a typo of the one given.
    bool close = best_distance <= std::max<std::size_t>(2, best.size() / 4);
    // The name is untrusted text: short, and one line whatever it holds.
    std::string shown;
    for (unsigned char c : name.substr(0, 80)) shown += c < 0x20 || c == 0x7F ? '?' : static_cast<char>(c);
    if (name.size() > 80) shown += "...";
    throw kit::usage_error("--disable-rule: unknown rule '" + shown + "'" + (close ? " (did you mean " + best + "?)" : "") +
                           "; known rules: " + kit::join(known, ", "));
  }
  return names;
}

LintRun lint_migrations(const MigrationsFolder& folder, const std::vector<const Migration*>& selected,
                        const std::vector<std::string>& disabled_rules, const std::string& default_schema) {
  LintRun run;
#ifdef MIGRATE_GUARD_HAVE_LINT
  lint::Options options;
  options.default_schema = default_schema;
  for (const auto& r : disabled_rule_names(disabled_rules)) options.disabled_rules.insert(r);
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
  (void)default_schema;
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
      // annotate() prints the finding once: as a workflow command under Actions, else as an
      // error/warning log line with file:line:col. Logging it again here printed it twice.
      report.annotate(x.severity == lint::Severity::error ? kit::Severity::error : kit::Severity::warning, msg,
                      {.file = f.path, .line = x.line, .end_line = x.end_line, .col = x.col, .title = "migrate-guard lint: " + x.rule});
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
  // Built member by member (an initializer list copies every value once more: with thousands of
  // findings that was a visible part of `lint --json`).
  nlohmann::json files = nlohmann::json::array();
  for (const auto& f : run.files) {
    nlohmann::json fs = nlohmann::json::array();
    for (const auto& x : f.findings) {
      nlohmann::json o = nlohmann::json::object();
      o["rule"] = x.rule;
      o["severity"] = x.severity == lint::Severity::error ? "error" : "warning";
      o["message"] = x.message;
      o["hint"] = x.hint;
      o["line"] = x.line;
      o["col"] = x.col;
      o["end_line"] = x.end_line;
      o["suppressed"] = x.suppressed;
      o["suppress_reason"] = x.suppress_reason;
      o["table"] = x.table;
      o["table_origin"] = lint::table_origin_name(x.table_origin);
      o["table_created_in"] = x.table_created_in;
      fs.push_back(std::move(o));
    }
    nlohmann::json file = nlohmann::json::object();
    file["path"] = f.path;
    file["statements"] = f.statements;
    file["syntax_error"] = f.syntax_error;
    file["findings"] = std::move(fs);
    files.push_back(std::move(file));
  }
  nlohmann::json out = nlohmann::json::object();
  out["files"] = std::move(files);
  out["statements"] = run.statements;
  out["errors"] = run.errors;
  out["warnings"] = run.warnings;
  out["suppressed"] = run.suppressed;
  return out;
}

}  // namespace migrate_guard
