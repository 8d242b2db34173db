// Test and benchmark driver for the migration linter (not shipped): lints each file named on the
// command line on its own and prints one JSON document with every finding, so Python tests can
// compare it with squawk. `--sequence` lints them as one migrations history, in argument order.
#include <fstream>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "migrate-guard/lint/lint.hpp"

namespace lint = migrate_guard::lint;

int main(int argc, char** argv) {
  bool sequence = false, count_only = false;
  std::vector<lint::MigrationFile> files;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--sequence") {
      sequence = true;
      continue;
    }
    if (arg == "--count") {  // print only the totals: the library's own time, for profiling
      count_only = true;
      continue;
    }
    std::ifstream in(arg, std::ios::binary);
    if (!in) {
      std::cerr << "lint-driver: cannot read " << arg << "\n";
      return 2;
    }
    std::ostringstream text;
    text << in.rdbuf();
    files.push_back({arg, text.str(), true});
  }
  std::vector<lint::FileReport> reports;
  if (sequence) {
    reports = lint::lint_sequence(files);
  } else {
    for (const auto& f : files) reports.push_back(lint::lint_sql(f.path, f.sql));
  }
  if (count_only) {
    std::size_t statements = 0, findings = 0;
    for (const auto& r : reports) statements += static_cast<std::size_t>(r.statements), findings += r.findings.size();
    std::cout << statements << " statements, " << findings << " findings\n";
    return 0;
  }
  nlohmann::json out = nlohmann::json::array();
  bool errors = false;
  for (const auto& r : reports) {
    nlohmann::json findings = nlohmann::json::array();
    for (const auto& f : r.findings) {
      bool error = f.severity == lint::Severity::error;
      if (error && !f.suppressed) errors = true;
      findings.push_back({{"rule", f.rule}, {"severity", error ? "error" : "warning"}, {"message", f.message},
                          {"hint", f.hint}, {"line", f.line}, {"col", f.col}, {"end_line", f.end_line},
                          {"suppressed", f.suppressed}, {"suppress_reason", f.suppress_reason},
                          {"statement", f.statement}, {"table", f.table},
                          {"table_origin", lint::table_origin_name(f.table_origin)},
                          {"table_created_in", f.table_created_in}});
    }
    nlohmann::json spans = nlohmann::json::array();
    for (const auto& s : r.spans) spans.push_back({{"line", s.line}, {"col", s.col}, {"end_line", s.end_line}});
    out.push_back({{"path", r.path}, {"statements", r.statements}, {"syntax_error", r.syntax_error},
                   {"findings", findings}, {"spans", spans}});
  }
  std::cout << out.dump(2) << "\n";
  return errors ? 1 : 0;
}
