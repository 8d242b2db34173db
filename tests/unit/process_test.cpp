#include <doctest/doctest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "kit/error.hpp"
#include "kit/process.hpp"

TEST_CASE("commands split like a shell would quote them, without expansion") {
  using V = std::vector<std::string>;
  CHECK(kit::split_command("kubectl rollout undo deploy/api") == V{"kubectl", "rollout", "undo", "deploy/api"});
  CHECK(kit::split_command("sh -c 'echo $HOME; exit 3'") == V{"sh", "-c", "echo $HOME; exit 3"});
  CHECK(kit::split_command(R"(a "b \"c\"" d\ e '')") == V{"a", "b \"c\"", "d e", ""});
  CHECK_THROWS_AS(kit::split_command("echo 'oops"), kit::Error);
  // Several lines are several commands to a reader: refused, not joined into one argv.
  CHECK_THROWS_AS(kit::split_command("echo one\necho two"), kit::Error);
  CHECK_THROWS_AS(kit::split_command("echo one\r\necho two"), kit::Error);
  CHECK(kit::split_command("kubectl rollout undo \\\n  deploy/api") == V{"kubectl", "rollout", "undo", "deploy/api"});
  CHECK(kit::split_command("sh -c 'echo one\necho two'") == V{"sh", "-c", "echo one\necho two"});
  CHECK(kit::split_command("./rollback.sh prod\n") == V{"./rollback.sh", "prod"});  // a value ending in a newline
  CHECK(kit::split_command("kubectl rollout undo \\\r\n  deploy/api") == V{"kubectl", "rollout", "undo", "deploy/api"});
}

TEST_CASE("a child runs with extra environment, captured output and exit code") {
  auto r = kit::run_process({{"sh", "-c", "echo out-$GREETING; echo err >&2; exit 3"}, {{"GREETING", "hi"}}});
  CHECK(r.started);
  CHECK(r.exit_code == 3);
  CHECK(r.out == "out-hi\n");
  CHECK(r.err == "err\n");
}

TEST_CASE("a child past its timeout is stopped, with its children") {
  auto r = kit::run_process({{"sh", "-c", "sleep 30 & sleep 30"}, {}, std::nullopt, kit::Millis(300)});
  CHECK(r.timed_out);
  CHECK(r.elapsed < kit::Millis(5000));
}

TEST_CASE("a missing program is reported, not thrown") {
  auto r = kit::run_process({{"no-such-program-yonima"}});
  CHECK_FALSE(r.started);
  CHECK(r.error.find("not found") != std::string::npos);
}

TEST_CASE("a program that cannot be executed is reported and its forked child reaped (no zombie)") {
  // Found by auth_file_fuzz: a credential helper named with a '/' (a path) that is not a program;
  // Boost.Process forks, execve fails in the child, and the child was never waited for: one
  // zombie per attempt, thousands over a fuzzing run (the PID space ran out).
  char dir[] = "/tmp/yonima-noexec-XXXXXX";
  REQUIRE(mkdtemp(dir) != nullptr);
  std::string path = std::string(dir) + "/not-a-program";
  {
    std::ofstream f(path);
    f << "\x7f not an executable format\n";
  }
  REQUIRE(chmod(path.c_str(), 0755) == 0);
  for (int i = 0; i < 3; ++i) {
    auto r = kit::run_process({{path}});
    CHECK_FALSE(r.started);
    CHECK_FALSE(r.error.empty());
  }
  int status = 0;
  CHECK(waitpid(-1, &status, WNOHANG) <= 0);  // nothing left to reap
  std::remove(path.c_str());
  rmdir(dir);
}

TEST_CASE("stdin is fed to the child") {
  kit::ProcessSpec spec{{"cat"}};
  spec.stdin_data = "hello";
  auto r = kit::run_process(spec);
  CHECK(r.out == "hello");  // the bytes the child wrote, no newline added
}

TEST_CASE("a child writing one endless line keeps a bounded tail, quickly") {
  // 24 MiB without a newline: the capture keeps the last 1 MiB (it grew without bound and erased
  // 1 MiB per line before). (Echoing, which cuts the line, is covered by the health-gate
  // integration test test_hook_writing_one_endless_line_stays_bounded.)
  for (bool echo : {false}) {
    kit::ProcessSpec spec{{"sh", "-c", "head -c 25165824 /dev/zero | tr '\\0' x; printf 'END'"}};
    spec.echo_output = echo;
    spec.timeout = kit::Millis(60'000);
    auto r = kit::run_process(spec);
    CHECK(r.exit_code == 0);
    CHECK_FALSE(r.timed_out);
    CHECK(r.out.size() <= (1u << 20));
    CHECK(r.out.size() >= (1u << 19));
    CHECK(r.out.substr(r.out.size() - 4) == "xEND");
  }
}

TEST_CASE("a child that exits without reading its stdin does not kill us with SIGPIPE") {
  // 4 MiB is far more than a pipe holds: the write meets a closed pipe. Before, SIGPIPE killed the
  // calling process (image-promote, with a credential helper that failed early).
  kit::ProcessSpec spec{{"sh", "-c", "exit 3"}};
  spec.stdin_data = std::string(4 << 20, 'x');
  auto r = kit::run_process(spec);
  CHECK(r.started);
  CHECK(r.exit_code == 3);
  // And the signal is not left pending for later: a second run works the same.
  auto again = kit::run_process(spec);
  CHECK(again.exit_code == 3);
}

TEST_CASE("a child killed by a signal is told apart from one that exits with that number") {
  kit::ProcessSpec spec;
  spec.argv = {"sh", "-c", "kill -SEGV $$"};
  spec.timeout = kit::Millis{10'000};
  auto crashed = kit::run_process(spec);
  CHECK(crashed.signal == SIGSEGV);
  CHECK(crashed.exit_code != 0);
  CHECK(kit::how_it_ended(crashed) == "killed by SIGSEGV (signal 11)");
  spec.argv = {"sh", "-c", "exit 11"};
  auto exited = kit::run_process(spec);
  CHECK(exited.signal == 0);
  CHECK(exited.exit_code == 11);
  CHECK(kit::how_it_ended(exited) == "exit 11");
  spec.argv = {"/nonexistent/yonima-no-such-program"};
  CHECK(kit::how_it_ended(kit::run_process(spec)).rfind("could not start", 0) == 0);
  // A signal the tool received and passed on (kit/interrupt): said once, the same way by every tool.
  kit::ProcessResult passed_on;
  passed_on.started = true;
  passed_on.interrupted = SIGTERM;
  passed_on.signal = SIGTERM;
  CHECK(kit::how_it_ended(passed_on) == "stopped by SIGTERM (the tool received it and passed it on)");
  passed_on.signal = 0;
  passed_on.exit_code = 3;  // the child handled it and exited
  CHECK(kit::how_it_ended(passed_on) == "exit 3 after the tool received SIGTERM and passed it on");
  passed_on.signal = SIGKILL;
  CHECK(kit::how_it_ended(passed_on) == "killed by SIGKILL after the tool received SIGTERM and passed it on");
}
