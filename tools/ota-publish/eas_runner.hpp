#pragma once
// Running eas-cli: the one place this tool starts a process. A run is bounded by a timeout; its
// failure becomes a kit::Error whose category follows from what the call could have changed
// (a read that failed changed nothing: exit 3; a write that timed out may have published: exit 4).
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "kit/duration.hpp"
#include "kit/error.hpp"
#include "kit/process.hpp"
#include "ota-publish/eas_call.hpp"

namespace ota {

struct EasSetup {
  std::vector<std::string> program{"eas"};  // e.g. {"npx", "--yes", "eas-cli@24.8.0"}
  std::string project_dir;                  // eas runs here (it reads app.json / app.config.* and eas.json)
  kit::Millis timeout{15 * 60 * 1000};
  std::map<std::string, std::string> env;   // added to the inherited environment (EXPO_TOKEN from an input)
  bool token = true;                        // EXPO_TOKEN reaches eas (else only an `eas login` session could)
};

struct EasRun {
  EasCall call;
  kit::ProcessResult result;
  bool without_token = false;  // no EXPO_TOKEN was handed to eas: named when it fails
  std::string program;         // what was started (--eas's first word), named when it could not be
  bool succeeded() const { return result.started && !result.timed_out && result.exit_code == 0; }
};

// Runs one call. Tests and the library's callers hand in their own (a fake, or process_runner).
using EasRunner = std::function<EasRun(const EasCall&)>;
EasRunner process_runner(EasSetup setup);

// "eas update:republish" for messages.
std::string call_name(const EasCall& call);

// The error for a run that did not succeed: could not start, timed out, or exited non-zero.
// `hint` says what to do next; a write that timed out is exit 4 (it may have taken effect).
kit::Error eas_failure(const EasRun& run, const std::string& hint);

// For a caller that goes on after a failed run (a write whose effect is read back): the message's
// "eas update:republish failed (exit 1): Error: ..." (eas's error line escaped, a missing
// EXPO_TOKEN named) and the hint, with what to do about the token first when none was set.
std::string eas_failure_line(const EasRun& run);
std::string eas_failure_hint(const EasRun& run, const std::string& hint);

// Runs a read and returns its stdout; throws eas_failure (exit 3) when it failed.
// `hint` replaces the generic "what to do next".
std::string read_or_throw(const EasRunner& runner, const EasCall& call, const std::string& hint = {});

}  // namespace ota
