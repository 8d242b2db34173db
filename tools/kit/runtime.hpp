#pragma once
// The spine every tool's main() uses:
//   options (flags > INPUT_* > defaults) -> validate -> plan -> effects -> report -> exit code.
// run_tool parses the options, sets up logging, masks and the report, calls the parsed command's
// `run` (declared beside it in the ToolSpec), and turns a kit::Error into its message, hint,
// annotation and exit code. A tool's main() is one line: `return kit::run_tool(spec(), argc, argv);`
#include <string>
#include <vector>

#include "kit/env.hpp"
#include "kit/error.hpp"
#include "kit/options.hpp"
#include "kit/report.hpp"

namespace kit {

struct Context {
  const Args& args;
  Report& report;
  const Env& env;
};

// What a tool's body returns: the exit code (ok or negative) and the one-line verdict.
struct Outcome {
  Exit code = Exit::ok;
  std::string headline;
  std::string hint;
};

int run_tool(const ToolSpec& spec, const std::vector<std::string>& argv, const Env& env);
int run_tool(const ToolSpec& spec, int argc, char** argv);

std::string version_string();  // "0.1.0 (commit abc1234)"

}  // namespace kit
