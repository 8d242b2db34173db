#pragma once
// Child processes via Boost.Process: no shell unless asked, a timeout, an explicit environment,
// captured output. Arguments are redacted when logged; secrets belong in `env`, never in argv.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "kit/duration.hpp"

namespace kit {

struct ProcessSpec {
  std::vector<std::string> argv;  // argv[0] is looked up on PATH when it has no '/'
  std::map<std::string, std::string> env_add;  // added to (or overriding) the inherited environment
  std::optional<std::string> stdin_data;
  Millis timeout{600'000};
  bool echo_output = false;  // also copy the child's output to our stderr as it arrives
  std::string cwd;  // working directory of the child; empty: ours
};

struct ProcessResult {
  int exit_code = -1;  // -1 when it could not start or was killed
  int signal = 0;      // the signal that ended it, if one did (exit_code is then -1)
  bool started = false;
  bool timed_out = false;
  int interrupted = 0;  // SIGINT/SIGTERM the tool received and forwarded to it while it ran (kit/interrupt.hpp)
  std::string out;  // stdout, bounded
  std::string err;  // stderr, bounded
  std::string error;  // why it could not start
  Millis elapsed{0};
};

// Throws kit::Error(environment) instead of starting anything once the tool was interrupted
// (SIGINT/SIGTERM passed on to an earlier child: kit/interrupt.hpp).
ProcessResult run_process(const ProcessSpec& spec);

// How a finished process ended, for a message: "exit 3", "killed by SIGSEGV (signal 11)"
// (a crash, not an exit status of 11), "timed out", "could not start: ...", and when the tool
// passed a SIGINT/SIGTERM on to it: "stopped by SIGTERM (...)", "exit 1 after the tool received ...".
std::string how_it_ended(const ProcessResult& result);
// "SIGTERM" for 15.
std::string signal_name(int sig);

// Splits a command line into words the way a POSIX shell would for quoting (single quotes,
// double quotes, backslashes), without any expansion: `--on-failure "kubectl rollout undo x"`.
// Throws kit::Error(usage) on an unterminated quote, or on a newline followed by more words (two
// commands to a reader would become one argv); a backslash before a newline continues the line.
std::vector<std::string> split_command(const std::string& command);

}  // namespace kit
