#pragma once
// Readers of what eas-cli prints on stdout with --json. eas prints one JSON document, but wrappers
// meet stray lines (npm notices, warnings, a plugin's log) before or after it, and partial output
// when eas dies: each reader finds the document of the expected shape, and when there is none says
// what it got. They take any bytes (invalid UTF-8, megabytes, deep nesting) and never throw.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ota-publish/eas_types.hpp"

namespace ota {

template <class T>
struct Read {
  std::optional<T> value;
  std::string problem;  // why there is no value: one line, safe to show
  explicit operator bool() const { return value.has_value(); }
};

Read<std::vector<Update>> read_updates(std::string_view stdout_text);           // update, republish, roll-back-to-embedded
Read<Channel> read_channel(std::string_view stdout_text);                       // channel:view
Read<std::vector<GroupSummary>> read_update_list(std::string_view stdout_text);  // update:list --branch
Read<RolloutState> read_rollout(std::string_view stdout_text);                  // channel:rollout

// The line of eas's stderr that says what went wrong (the last line starting with "Error" or
// "✖", else the last non-empty line), shown safely; empty when stderr is empty.
std::string eas_error_line(std::string_view stderr_text);

}  // namespace ota
