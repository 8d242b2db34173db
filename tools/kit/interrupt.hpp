#pragma once
// SIGINT and SIGTERM while a child process runs. A child runs in its own process group (so a
// timeout can stop a shell and its children together), which also keeps a terminal's Ctrl-C and a
// runner's cancellation from reaching it: the tool died and left the child running, orphaned,
// killed by SIGPIPE at its next line of output — a rollback stopped half-way, unreported. While a
// child runs, the signal is forwarded to its group instead, the tool goes on to report how the
// child ended, and no further child is started. With no child running, the tool ends at once with
// exit status 128 + the signal, as a shell reports a death by it (also as PID 1 in a container,
// where the default action would be dropped).
#include <sys/types.h>

namespace kit {

// Installs the handlers; run_tool calls it once at start.
void install_interrupt_forwarding();

// The signal received while a child ran, 0 when none.
int interrupted();

// Made before a child is started (a signal meanwhile is recorded, not fatal), told the child's
// process group once it runs; while alive, SIGINT/SIGTERM go to that group.
class ForwardInterrupts {
 public:
  ForwardInterrupts();
  void started(pid_t group);
  ~ForwardInterrupts();
  ForwardInterrupts(const ForwardInterrupts&) = delete;
  ForwardInterrupts& operator=(const ForwardInterrupts&) = delete;

 private:
  int slot_ = -1;
};

}  // namespace kit
