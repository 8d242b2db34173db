#include "kit/workflow_command.hpp"

#include "kit/text.hpp"

namespace kit {

namespace {

// The toolkit's escapeData, exactly.
std::string toolkit_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '%') out += "%25";
    else if (c == '\r') out += "%0D";
    else if (c == '\n') out += "%0A";
    else out += c;
  }
  return out;
}

}  // namespace

std::string escape_command_data(std::string_view text) {
  // CR and LF are now encoded; the remaining control bytes (ESC, NUL...) and invalid UTF-8 are
  // shown, never passed on to the runner's log viewer.
  return escape_controls(toolkit_escape(text));
}

std::string escape_command_property(std::string_view text) {
  std::string out;
  for (char c : escape_command_data(text)) {
    if (c == ':') out += "%3A";
    else if (c == ',') out += "%2C";
    else out += c;
  }
  return out;
}

std::string format_annotation(Severity severity, std::string_view message, const Location& where) {
  static const char* names[] = {"error", "warning", "notice"};
  std::string props;
  auto add = [&](const char* key, const std::string& value) {
    props += (props.empty() ? " " : ",") + std::string(key) + "=" + escape_command_property(value);
  };
  if (!where.file.empty()) add("file", where.file);
  if (where.line > 0) add("line", std::to_string(where.line));
  if (where.end_line > 0) add("endLine", std::to_string(where.end_line));
  if (where.col > 0) add("col", std::to_string(where.col));
  if (!where.title.empty()) add("title", where.title);
  return "::" + std::string(names[static_cast<int>(severity)]) + props + "::" + escape_command_data(message);
}

std::string format_command(std::string_view command, std::string_view data) {
  return "::" + std::string(command) + "::" + escape_command_data(data);
}

std::string format_add_mask(std::string_view secret) {
  // The exact bytes, so the runner masks the value itself; a secret is ours, not untrusted text.
  return "::add-mask::" + toolkit_escape(secret);
}

std::string escape_line(std::string_view text) {
  std::string out = escape_controls(text);
  size_t first = out.find_first_not_of(" \t");
  // "\:" reads the same to a person and is no command to the runner.
  if (first != std::string::npos && out.compare(first, 2, "::") == 0) out.insert(first, "\\");
  return out;
}

}  // namespace kit
