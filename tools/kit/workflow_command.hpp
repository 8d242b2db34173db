#pragma once
// GitHub Actions workflow commands (`::error file=F,line=L::message`, `::add-mask::`, `::group::`),
// formatted and escaped the way @actions/toolkit's command.ts does it. The bottom of kit: it
// depends on nothing else, so secrets, log and report can all use it without a cycle.
//
// The runner executes any line of a step's stdout or stderr that starts with `::`. Text a tool
// did not write itself (response bodies, registry data, a child's output) must never get there:
// `escape_line` makes such text safe to print as (part of) one line.
#include <string>
#include <string_view>

namespace kit {

enum class Severity { error, warning, notice };

struct Location {
  std::string file;
  int line = 0;
  int end_line = 0;
  int col = 0;
  std::string title;
};

// The toolkit's escapeData / escapeProperty: %, CR and LF (and `:` `,` in properties) are
// percent-encoded, which the runner decodes. Other control characters become visible escapes.
std::string escape_command_data(std::string_view text);
std::string escape_command_property(std::string_view text);
std::string format_annotation(Severity severity, std::string_view message, const Location& where);
std::string format_command(std::string_view command, std::string_view data);  // "::command::data"
std::string format_add_mask(std::string_view secret);  // "::add-mask::value", value only %-encoded

// Untrusted text as one safe line: control characters and invalid UTF-8 escaped (kit::escape_controls),
// and a leading `::` (after any blanks) defused so the runner never reads it as a command.
std::string escape_line(std::string_view text);

}  // namespace kit
