#include "kit/interrupt.hpp"

#include <atomic>
#include <csignal>

namespace kit {
namespace {

std::atomic<pid_t> forward_to{0};
std::atomic<int> received{0};

// Async-signal-safe: atomics, kill, signal and raise only.
void on_signal(int sig) {
  pid_t group = forward_to.load();
  if (group > 0) {
    received.store(sig);
    ::kill(-group, sig);
    return;
  }
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

}  // namespace

void install_interrupt_forwarding() {
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  for (int sig : {SIGINT, SIGTERM}) {
    struct sigaction previous {};
    // An ignored signal (nohup, a parent that ignores SIGINT for background jobs) stays ignored.
    if (::sigaction(sig, nullptr, &previous) == 0 && previous.sa_handler == SIG_IGN) continue;
    ::sigaction(sig, &action, nullptr);
  }
}

int interrupted() { return received.load(); }

ForwardInterrupts::ForwardInterrupts(pid_t group) { forward_to.store(group); }
ForwardInterrupts::~ForwardInterrupts() { forward_to.store(0); }

}  // namespace kit
