#pragma once
// The one way a tool tells the world what happened: step outputs ($GITHUB_OUTPUT), a Markdown
// step summary ($GITHUB_STEP_SUMMARY), annotations, groups, and the --json result on stdout.
// Everything written passes through the secret redaction.
#include <concepts>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "kit/env.hpp"
#include "kit/error.hpp"
#include "kit/workflow_command.hpp"  // Severity, Location, annotation formatting

namespace kit {

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

  // Step outputs. In $GITHUB_OUTPUT every value is text (a list one item per line); the --json
  // result keeps the type: a string, a boolean, a number, an array of strings.
  void output(const std::string& name, const std::string& value);
  void output(const std::string& name, const char* value) { output(name, std::string(value)); }
  void output(const std::string& name, bool value);
  template <std::integral T>
    requires(!std::same_as<T, bool>)
  void output(const std::string& name, T value) {
    output_integer(name, static_cast<long long>(value));
  }
  void output(const std::string& name, double value);
  void output(const std::string& name, const std::vector<std::string>& items);
  // A line of the tool's own result on stdout (a digest, a table row) for people and pipes. It may
  // carry untrusted text (registry data), so it is redacted and escaped to one safe line
  // (kit::escape_line); nothing is printed under --json, where stdout holds the result only.
  void print(std::string_view line);
  void summary(const std::string& markdown);
  // False when no step summary is written ($GITHUB_STEP_SUMMARY unset): a tool may then skip
  // building a large one (a table of thousands of lint findings).
  bool wants_summary() const;
  void annotate(Severity severity, const std::string& message, const Location& where = {});
  // An annotation that says the run's verdict: recorded (Actions, the --json result) but not logged
  // outside Actions, where the verdict line logged at the end says it already (it was said twice).
  void annotate_verdict(Severity severity, const std::string& message, const Location& where = {});
  void group_begin(const std::string& name);
  void group_end();
  // Extra fields for the --json result (merged into the top-level object).
  void result(const std::string& key, const nlohmann::json& value);
  void result(const std::string& key, nlohmann::json&& value);  // no copy of a large result

  // Writes outputs, summary and the JSON result. `headline` is the one-line verdict.
  void finish(Exit code, const std::string& headline, const std::string& hint = {});

  bool json_mode() const;
  bool in_actions() const;

 private:
  void output_integer(const std::string& name, long long value);
  void record(Severity severity, const std::string& message, const Location& where, bool log_outside_actions);
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace kit
