#include "kit/process.hpp"

#include <utility>  // boost 1.74 headers use std::exchange without including it
#include <boost/process.hpp>
#include <boost/process/extend.hpp>
#include <pthread.h>
#include <sys/wait.h>

#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstring>
#include <memory>
#include <mutex>
#include <iostream>
#include <thread>

#include "kit/error.hpp"
#include "kit/interrupt.hpp"
#include "kit/log.hpp"
#include "kit/text.hpp"
#include "kit/secrets.hpp"
#include "kit/workflow_command.hpp"

namespace bp = boost::process;

namespace kit {
namespace {

constexpr size_t kMaxCapture = 1 << 20;   // the tail of each stream kept for the caller
constexpr size_t kMaxEchoLine = 16 << 10;  // longer lines are echoed cut, with a note

// One captured stream, shared with the thread that drains it: a grandchild that keeps the pipe
// open (a rollback that restarts a daemon) must not hang us, so the thread may outlive the call.
struct Capture {
  bp::ipstream stream;
  std::mutex mutex;
  std::string text;
  bool done = false;
  std::condition_variable finished;
};

// Keeps the last kMaxCapture bytes in amortised constant time per byte: the buffer may grow to
// twice the cap before the front is dropped in one move (erasing 1 MiB per line made a hook with
// 3 MB of output take 20 s).
void keep_tail(std::string& text, std::string_view more) {
  text.append(more);
  if (text.size() > 2 * kMaxCapture) text.erase(0, text.size() - kMaxCapture);
}

// Echoes a child's output line by line to our stderr, redacted and escaped (its lines may quote
// untrusted text, and a line starting with `::` would be run by the Actions runner). A line that
// never ends (one endless line) is cut at kMaxEchoLine: memory stays bounded.
class LineEcho {
 public:
  void feed(std::string_view data) {
    while (!data.empty()) {
      size_t nl = data.find('\n');
      std::string_view piece = data.substr(0, nl);
      if (!skipping_) {
        size_t room = kMaxEchoLine - line_.size();
        line_.append(piece.substr(0, room));
        if (piece.size() > room) {
          write(" … (line cut)");
          skipping_ = true;  // the rest of this line is not echoed
        }
      }
      if (nl == std::string_view::npos) return;
      if (!skipping_) write("");
      skipping_ = false;
      data.remove_prefix(nl + 1);
    }
  }
  void finish() {
    if (!line_.empty()) write("");
  }

 private:
  void write(const char* note) {
    if (!line_.empty() && line_.back() == '\r') line_.pop_back();
    std::cerr << escape_line(secrets().redact(line_)) << note << "\n";
    line_.clear();
  }
  std::string line_;
  bool skipping_ = false;
};

void drain(std::shared_ptr<Capture> c, bool echo) {
  LineEcho lines;
  char buffer[64 * 1024];
  while (true) {
    int n = 0;
    try {
      n = c->stream.pipe().read(buffer, static_cast<int>(sizeof buffer));  // one read(2): what is there
    } catch (...) {
      n = 0;
    }
    if (n <= 0) break;
    std::string_view chunk(buffer, static_cast<size_t>(n));
    if (echo) lines.feed(chunk);
    std::lock_guard lock(c->mutex);
    keep_tail(c->text, chunk);
  }
  if (echo) lines.finish();
  std::lock_guard lock(c->mutex);
  if (c->text.size() > kMaxCapture) c->text.erase(0, c->text.size() - kMaxCapture);
  c->done = true;
  c->finished.notify_all();
}

// Writes the child's stdin and closes it. A child that exits without reading it all (a credential
// helper that fails early) makes the write raise SIGPIPE, which would kill the tool: SIGPIPE is
// blocked in this thread while writing and a pending one discarded, so the write just fails.
// (Ignoring SIGPIPE process-wide would be inherited by every child, and break their pipelines.)
void feed_stdin(bp::opstream& in, const std::optional<std::string>& data) {
  sigset_t pipe_signal, previous;
  sigemptyset(&pipe_signal);
  sigaddset(&pipe_signal, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_signal, &previous);
  try {
    if (data) in.write(data->data(), static_cast<std::streamsize>(data->size()));
    in.flush();
  } catch (...) {
  }
  try {
    in.pipe().close();
  } catch (...) {
  }
  sigset_t pending;
  sigpending(&pending);
  if (sigismember(&pending, SIGPIPE) && !sigismember(&previous, SIGPIPE)) {
    timespec no_wait{0, 0};
    sigtimedwait(&pipe_signal, nullptr, &no_wait);
  }
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
}

std::string collect(const std::shared_ptr<Capture>& c, std::chrono::milliseconds grace) {
  std::unique_lock lock(c->mutex);
  c->finished.wait_for(lock, grace, [&] { return c->done; });
  std::string_view tail = c->text;
  if (tail.size() > kMaxCapture) tail.remove_prefix(tail.size() - kMaxCapture);
  return std::string(tail);
}

std::string find_program(const std::string& name) {
  if (name.find('/') != std::string::npos) return name;
  auto p = bp::search_path(name);
  return p.empty() ? std::string() : p.string();
}

}  // namespace

ProcessResult run_process(const ProcessSpec& spec) {
  ProcessResult result;
  if (spec.argv.empty()) {
    result.error = "empty command";
    return result;
  }
  // After an interruption nothing new starts: the tool is on its way to reporting and ending.
  if (int sig = interrupted())
    throw environment_error("interrupted (the tool received " + signal_name(sig) + "), so '" +
                                quote_value(secrets().redact(spec.argv[0]), 80) + "' was not started",
                            "nothing more was run after the interruption; run the step again when ready");
  std::string exe = find_program(spec.argv[0]);
  if (exe.empty()) {
    result.error = "'" + spec.argv[0] + "' not found on PATH";
    return result;
  }
  bp::environment env = boost::this_process::environment();
  for (const auto& [k, v] : spec.env_add) env[k] = v;
  std::vector<std::string> args(spec.argv.begin() + 1, spec.argv.end());

  auto out = std::make_shared<Capture>();
  auto err = std::make_shared<Capture>();
  bp::opstream in;
  bp::group group;
  auto start = std::chrono::steady_clock::now();
  std::error_code ec;
  // When execve fails in the forked child, Boost.Process reports the error but never waits for
  // that child (a zombie per failed start); its pid is known only to an error handler.
  pid_t failed = -1;
  auto on_error = bp::extend::on_error = [&failed](auto& exec, const std::error_code&) { failed = exec.pid; };
  // From before the start: the child gets a process group of its own, which a terminal's Ctrl-C
  // or a runner's cancellation would not reach (kit/interrupt.hpp).
  ForwardInterrupts forward;
  bp::child child = spec.cwd.empty()
      ? bp::child(exe, bp::args(args), env, bp::std_out > out->stream, bp::std_err > err->stream, bp::std_in < in, group, on_error, ec)
      : bp::child(exe, bp::args(args), env, bp::std_out > out->stream, bp::std_err > err->stream, bp::std_in < in, group,
                  bp::start_dir = spec.cwd, on_error, ec);
  if (ec) {
    if (failed > 0) ::waitpid(failed, nullptr, 0);
    result.error = ec.message();
    return result;
  }
  result.started = true;
  forward.started(group.native_handle());
  std::thread(drain, out, spec.echo_output).detach();
  std::thread(drain, err, spec.echo_output).detach();
  feed_stdin(in, spec.stdin_data);

  // Boost 1.74's wait_for can miss a SIGCHLD that arrives before it starts waiting and then sleep
  // the whole timeout; polling running() (waitpid WNOHANG) has no such race.
  auto deadline = std::chrono::steady_clock::now() + spec.timeout;
  auto pause = std::chrono::milliseconds(1);
  while (child.running(ec) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(50));
  }
  result.interrupted = interrupted();
  if (child.running(ec)) {
    result.timed_out = true;
    // The whole process group: a shell's children must not outlive the timeout.
    group.terminate(ec);
    child.wait(ec);
  }
  group.detach();
  result.out = collect(out, std::chrono::milliseconds(2000));
  result.err = collect(err, std::chrono::milliseconds(500));
  result.elapsed = std::chrono::duration_cast<Millis>(std::chrono::steady_clock::now() - start);
  result.exit_code = result.timed_out ? -1 : child.exit_code();
  // Boost reports a signal's number as the exit code: "exit 11" for a segfault.
  if (!result.timed_out && WIFSIGNALED(child.native_exit_code())) {
    result.signal = WTERMSIG(child.native_exit_code());
    result.exit_code = -1;
  }
  return result;
}

std::string signal_name(int sig) {
  const char* name = sigabbrev_np(sig);
  return name ? "SIG" + std::string(name) : "signal " + std::to_string(sig);
}

std::string how_it_ended(const ProcessResult& r) {
  if (!r.started) return "could not start: " + r.error;
  if (r.interrupted && r.signal == r.interrupted)
    return "stopped by " + signal_name(r.interrupted) + " (the tool received it and passed it on)";
  if (r.interrupted && (r.signal || r.exit_code != 0))
    return (r.signal ? "killed by " + signal_name(r.signal) : "exit " + std::to_string(r.exit_code)) + " after the tool received " +
           signal_name(r.interrupted) + " and passed it on";
  if (r.timed_out) return "timed out";
  if (r.signal) return "killed by " + signal_name(r.signal) + " (signal " + std::to_string(r.signal) + ")";
  return "exit " + std::to_string(r.exit_code);
}

std::vector<std::string> split_command(const std::string& command) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  enum { none, single, dbl } quote = none;
  for (size_t i = 0; i < command.size(); ++i) {
    char c = command[i];
    if (quote == single) {
      if (c == '\'') quote = none;
      else word += c;
    } else if (quote == dbl) {
      if (c == '"') quote = none;
      else if (c == '\\' && i + 1 < command.size() && std::string("\"\\$`").find(command[i + 1]) != std::string::npos)
        word += command[++i];
      else word += c;
    } else if (c == '\'') {
      quote = single;
      in_word = true;
    } else if (c == '"') {
      quote = dbl;
      in_word = true;
    } else if (c == '\\' && i + 1 < command.size()) {
      if (command[i + 1] == '\n' || command.compare(i + 1, 2, "\r\n") == 0) {  // a line continuation, as in a shell
        i += command[i + 1] == '\n' ? 1 : 2;
        continue;
      }
      word += command[++i];
      in_word = true;
    } else if ((c == '\n' || c == '\r') && command.find_first_not_of(" \t\r\n", i) != std::string::npos) {
      // Two lines are two commands to a reader (a YAML block `on-failure: |`), but here they would
      // become one argv ("kubectl rollout undo ... ./notify.sh"), and the log would call it done.
      throw usage_error("a command is one line, not several: " + quote_value(secrets().redact(command), 80),
                        "write one command, or several in a script (sh -c '...' or a file)");
    } else if (std::isspace(static_cast<unsigned char>(c))) {
      if (in_word) words.push_back(word);
      word.clear();
      in_word = false;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (quote != none) throw usage_error("unterminated quote in command: " + quote_value(secrets().redact(command), 80));
  if (in_word) words.push_back(word);
  return words;
}

}  // namespace kit
