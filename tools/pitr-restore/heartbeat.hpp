#pragma once
// A progress line at least every few seconds while a long blocking step runs (copying a base
// backup, pgbackrest restore): CI logs that stay silent for minutes look hung at 3 a.m.
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "kit/duration.hpp"

namespace pitr_restore {

class Heartbeat {
 public:
  // `detail` (optional) is called from the heartbeat's thread: "1.2 GB of 3.1 GB".
  Heartbeat(std::string phase, kit::Millis every, std::function<std::string()> detail = {});
  ~Heartbeat();
  Heartbeat(const Heartbeat&) = delete;
  Heartbeat& operator=(const Heartbeat&) = delete;

 private:
  std::string phase_;
  std::function<std::string()> detail_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

std::string format_bytes(unsigned long long bytes);  // "312 MB"

}  // namespace pitr_restore
