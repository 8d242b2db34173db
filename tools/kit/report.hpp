#pragma once
// The one way a tool tells the world what happened: step outputs ($GITHUB_OUTPUT), a Markdown
// step summary ($GITHUB_STEP_SUMMARY), annotations, groups, and the --json result on stdout.
// Everything written passes through the secret redaction.
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "kit/env.hpp"
#include "kit/error.hpp"

namespace kit {

enum class Severity { error, warning, notice };

struct Location {
  std::string file;
  int line = 0;
  int end_line = 0;
  int col = 0;
  std::string title;
};

// Workflow-command escaping, as the GitHub Actions toolkit does it.
std::string escape_command_data(std::string_view text);
std::string escape_command_property(std::string_view text);
std::string format_annotation(Severity severity, std::string_view message, const Location& where);

// One `name=value` or heredoc entry in the $GITHUB_OUTPUT format; multi-line values get a random
// delimiter that does not occur in the value.
std::string format_output_entry(const std::string& name, const std::string& value);

// A Markdown table with escaped cells.
std::string markdown_table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows);

class Report {
 public:
  Report(const Env& env, std::string tool, bool json_mode);
  ~Report();
  Report(const Report&) = delete;
  Report& operator=(const Report&) = delete;

  void output(const std::string& name, const std::string& value);
  void summary(const std::string& markdown);
  void annotate(Severity severity, const std::string& message, const Location& where = {});
  void group_begin(const std::string& name);
  void group_end();
  // Extra fields for the --json result (merged into the top-level object).
  void result(const std::string& key, const nlohmann::json& value);

  // Writes outputs, summary and the JSON result. `headline` is the one-line verdict.
  void finish(Exit code, const std::string& headline, const std::string& hint = {});

  bool json_mode() const;
  bool in_actions() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace kit
