#include "kit/interrupt.hpp"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>

namespace kit {
namespace {

// The process groups of the children running now, one slot each (a few threads may each run one).
// kStarting: a child is being started and its group is not known yet; a signal then is recorded
// and passed on as soon as the group is (ForwardInterrupts::started).
constexpr int kSlots = 16;
constexpr pid_t kFree = 0, kStarting = -1;
std::atomic<pid_t> groups[kSlots];
std::atomic<int> received{0};

// Async-signal-safe: atomics, kill and _exit only; errno is kept for the interrupted code.
void on_signal(int sig) {
  int saved = errno;
  bool child = false;
  for (auto& slot : groups) {
    pid_t g = slot.load();
    if (g == kFree) continue;
    child = true;
    received.store(sig);
    if (g > 0) ::kill(-g, sig);
  }
  if (!child) {
    // The default action would end the tool, except as PID 1 (a FROM scratch container), where
    // the kernel drops it: end the way a shell reports a death by this signal.
    ::_exit(128 + sig);
  }
  errno = saved;
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

ForwardInterrupts::ForwardInterrupts() {
  for (int i = 0; i < kSlots; ++i) {
    pid_t expected = kFree;
    if (groups[i].compare_exchange_strong(expected, kStarting)) {
      slot_ = i;
      return;
    }
  }
}

void ForwardInterrupts::started(pid_t group) {
  if (slot_ < 0 || group <= 0) return;
  groups[slot_].store(group);
  // A signal that came while the child was being started was recorded, not passed on.
  if (int sig = received.load()) ::kill(-group, sig);
}

ForwardInterrupts::~ForwardInterrupts() {
  if (slot_ >= 0) groups[slot_].store(kFree);
}

}  // namespace kit
