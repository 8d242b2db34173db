#include "pitr-restore/server.hpp"

#include <signal.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "kit/error.hpp"
#include "kit/secrets.hpp"
#include "kit/log.hpp"
#include "kit/process.hpp"

namespace pitr_restore {
namespace fs = std::filesystem;

namespace {

std::string pg_ctl(const Server& s) { return s.pg_bin.empty() ? "pg_ctl" : s.pg_bin + "/pg_ctl"; }

std::optional<long> postmaster_pid(const std::string& pgdata) {
  std::ifstream in(pgdata + "/postmaster.pid");
  long pid = 0;
  if (!(in >> pid) || pid <= 0) return std::nullopt;
  return pid;
}

bool log_has_fatal(const std::string& log_file) {
  std::ifstream in(log_file);
  std::string line;
  while (std::getline(in, line))
    if ((line.find("FATAL:") != std::string::npos || line.find("PANIC:") != std::string::npos) &&
        line.find("is starting up") == std::string::npos && line.find("not yet accepting") == std::string::npos)
      return true;
  return false;
}

}  // namespace

std::string default_pg_bin(const std::string& pg_version) {
  std::string major = pg_version.substr(0, pg_version.find('.'));
  std::string dir = "/usr/lib/postgresql/" + major + "/bin";
  std::error_code ec;
  return !major.empty() && fs::exists(dir + "/pg_ctl", ec) ? dir : "";
}

bool postmaster_running(const std::string& pgdata) {
  auto pid = postmaster_pid(pgdata);
  return pid && (::kill(static_cast<pid_t>(*pid), 0) == 0 || errno == EPERM);
}

void stop_server(const Server& s, kit::Millis timeout) {
  auto secs = std::to_string(std::max<long long>(1, timeout.count() / 1000));
  try {
    run_checked(as_owner(s.owner, {pg_ctl(s), "stop", "-D", s.pgdata, "-m", "fast", "-w", "-t", secs}), "stopping the server on " + s.pgdata,
                timeout + kit::Millis(10'000), static_cast<int>(kit::Exit::environment));
  } catch (const kit::Error& e) {
    throw kit::environment_error(std::string(e.what()) + "; nothing was changed, the server may still be running",
                                 "find out why it does not stop (long transactions, a stuck backup?), stop it yourself, then run the restore again");
  }
}

void stop_quietly(const Server& s) {
  kit::ProcessSpec spec;
  try {
    spec.argv = as_owner(s.owner, {pg_ctl(s), "stop", "-D", s.pgdata, "-m", "immediate", "-w", "-t", "30"});
  } catch (const kit::Error&) {
    return;
  }
  spec.timeout = kit::Millis(40'000);
  kit::run_process(spec);
}

void start_server(const Server& s) {
  // -W: do not wait (pg_ctl's wait ends at "consistent", not at the target); the loop below waits.
  run_checked(as_owner(s.owner, {pg_ctl(s), "start", "-D", s.pgdata, "-l", s.log_file, "-W"}), "starting the server on " + s.pgdata,
              kit::Millis(120'000), static_cast<int>(kit::Exit::partial));
}

std::string log_problem(const std::string& log_file) {
  std::ifstream in(log_file);
  std::string line, fatal;
  std::vector<std::string> last;
  while (std::getline(in, line)) {
    // Our own probes while the server starts are refused with FATAL lines of their own; skip them.
    bool probe_refused = line.find("is starting up") != std::string::npos || line.find("not yet accepting") != std::string::npos ||
                         line.find("is shutting down") != std::string::npos;
    if (!probe_refused && (line.find("FATAL:") != std::string::npos || line.find("PANIC:") != std::string::npos)) fatal = line;
    last.push_back(line);
    if (last.size() > 3) last.erase(last.begin());
  }
  std::string out = fatal;
  if (out.empty())
    for (const auto& l : last) out += (out.empty() ? "" : " | ") + l;
  out = kit::redacted_excerpt(out, 400);
  if (fatal.find("before consistent recovery point") != std::string::npos)
    out += " (the target is inside the base backup, before it ended: choose a later target, or a base backup taken before it)";
  return out;
}

Promotion wait_for_promotion(const Server& s, const std::optional<Endpoint>& endpoint, kit::Millis deadline,
                             kit::Millis progress_every, Timeline& timeline) {
  using clock = std::chrono::steady_clock;
  auto start = clock::now();
  auto next_progress = start + progress_every;
  Promotion p;
  std::string phase = "starting";
  ServerProbe last;
  bool announced_consistent = false;
  bool seen_running = false;
  for (;;) {
    auto now = clock::now();
    auto elapsed = std::chrono::duration_cast<kit::Millis>(now - start);
    std::optional<Endpoint> ep = endpoint;
    if (!ep) ep = socket_endpoint(s.pgdata, s.owner.name.empty() ? "postgres" : s.owner.name, "postgres");
    ServerProbe probe;
    if (ep) probe = probe_server(*ep, kit::Millis(5'000));
    if (probe.connected) {
      last = probe;
      if (!probe.in_recovery) {
        p.promoted = true;
        p.replay_lsn = last.replay_lsn;
        timeline.add("recovery finished: pg_is_in_recovery() is false after " + kit::format_duration(elapsed) +
                     (last.replay_lsn.empty() ? "" : " (replayed up to " + last.replay_lsn + ")"));
        return p;
      }
      phase = "replaying WAL";
      if (!announced_consistent) {
        timeline.add("server consistent and accepting read-only connections; still replaying WAL");
        announced_consistent = true;
      }
    }
    bool running = postmaster_running(s.pgdata);
    seen_running = seen_running || running;
    // pg_ctl start -W returns before the postmaster writes its pid file: absent at first is normal.
    if (!running && (seen_running || elapsed > kit::Millis(15'000) || log_has_fatal(s.log_file))) {
      p.failure = "the server stopped during recovery: " + log_problem(s.log_file);
      return p;
    }
    if (elapsed >= deadline) {
      p.failure = "recovery did not finish within " + kit::format_duration(deadline) + " (phase: " + phase +
                  (last.replay_lsn.empty() ? "" : ", replayed up to " + last.replay_lsn) + "); the server is still running";
      return p;
    }
    if (now >= next_progress) {
      kit::log::info("progress: " + phase + (last.replay_lsn.empty() ? "" : ", WAL replayed up to " + last.replay_lsn) +
                     (last.replay_time.empty() ? "" : ", last transaction " + last.replay_time) + ", elapsed " +
                     kit::format_duration(kit::Millis(elapsed.count() / 1000 * 1000)));
      next_progress = now + progress_every;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(probe.connected ? 100 : 200));
  }
}

}  // namespace pitr_restore
