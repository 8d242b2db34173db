#include "kit/process.hpp"

#include <pthread.h>
#include <csignal>

#include <utility>  // boost 1.74 headers use std::exchange without including it
#include <boost/process.hpp>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <iostream>
#include <thread>

#include "kit/error.hpp"
#include "kit/log.hpp"
#include "kit/secrets.hpp"

namespace bp = boost::process;

namespace kit {
namespace {

constexpr size_t kMaxCapture = 1 << 20;

// One captured stream, shared with the thread that drains it: a grandchild that keeps the pipe
// open (a rollback that restarts a daemon) must not hang us, so the thread may outlive the call.
struct Capture {
  bp::ipstream stream;
  std::mutex mutex;
  std::string text;
  bool done = false;
  std::condition_variable finished;
};

void drain(std::shared_ptr<Capture> c, bool echo) {
  std::string line;
  while (std::getline(c->stream, line)) {
    if (echo) std::cerr << secrets().redact(line) << "\n";
    std::lock_guard lock(c->mutex);
    c->text += line;
    c->text += '\n';
    if (c->text.size() > kMaxCapture) c->text.erase(0, c->text.size() - kMaxCapture);
  }
  std::lock_guard lock(c->mutex);
  c->done = true;
  c->finished.notify_all();
}

std::string collect(const std::shared_ptr<Capture>& c, std::chrono::milliseconds grace) {
  std::unique_lock lock(c->mutex);
  c->finished.wait_for(lock, grace, [&] { return c->done; });
  return c->text;
}

std::string find_program(const std::string& name) {
  if (name.find('/') != std::string::npos) return name;
  auto p = bp::search_path(name);
  return p.empty() ? std::string() : p.string();
}

}  // namespace

namespace {

// A child may exit without reading its standard input (a credential helper that fails at once):
// writing to the pipe then raises SIGPIPE, whose default action kills us. SIGPIPE is blocked in
// this thread for the write (the write fails with EPIPE instead, which is not an error here: the
// child's exit code says what happened), and a SIGPIPE left pending is taken back before the mask
// is restored.
void write_stdin(boost::process::opstream& in, const std::optional<std::string>& data) {
  sigset_t pipe_only, old;
  sigemptyset(&pipe_only);
  sigaddset(&pipe_only, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_only, &old);
  try {
    if (data) in << *data;
    in.flush();
  } catch (const std::exception&) {
    // EPIPE: the child is gone or closed its input; its exit code tells the rest.
  }
  in.pipe().close();
  sigset_t pending;
  sigpending(&pending);
  if (sigismember(&pending, SIGPIPE) && !sigismember(&old, SIGPIPE)) {
    timespec zero{0, 0};
    sigtimedwait(&pipe_only, nullptr, &zero);
  }
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
}

}  // namespace

ProcessResult run_process(const ProcessSpec& spec) {
  ProcessResult result;
  if (spec.argv.empty()) {
    result.error = "empty command";
    return result;
  }
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
  bp::child child = spec.cwd.empty()
      ? bp::child(exe, bp::args(args), env, bp::std_out > out->stream, bp::std_err > err->stream, bp::std_in < in, group, ec)
      : bp::child(exe, bp::args(args), env, bp::std_out > out->stream, bp::std_err > err->stream, bp::std_in < in, group,
                  bp::start_dir = spec.cwd, ec);
  if (ec) {
    result.error = ec.message();
    return result;
  }
  result.started = true;
  std::thread(drain, out, spec.echo_output).detach();
  std::thread(drain, err, spec.echo_output).detach();
  write_stdin(in, spec.stdin_data);

  // Boost 1.74's wait_for can miss a SIGCHLD that arrives before it starts waiting and then sleep
  // the whole timeout; polling running() (waitpid WNOHANG) has no such race.
  auto deadline = std::chrono::steady_clock::now() + spec.timeout;
  auto pause = std::chrono::milliseconds(1);
  while (child.running(ec) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(50));
  }
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
  return result;
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
      word += command[++i];
      in_word = true;
    } else if (std::isspace(static_cast<unsigned char>(c))) {
      if (in_word) words.push_back(word);
      word.clear();
      in_word = false;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (quote != none) throw usage_error("unterminated quote in command: " + secrets().redact(command));
  if (in_word) words.push_back(word);
  return words;
}

}  // namespace kit
