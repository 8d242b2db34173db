#include "pitr-restore/heartbeat.hpp"

#include <chrono>
#include <cstdio>

#include "kit/log.hpp"

namespace pitr_restore {

Heartbeat::Heartbeat(std::string phase, kit::Millis every, std::function<std::string()> detail)
    : phase_(std::move(phase)), detail_(std::move(detail)) {
  thread_ = std::thread([this, every] {
    auto start = std::chrono::steady_clock::now();
    std::unique_lock lock(mutex_);
    while (!cv_.wait_for(lock, every, [this] { return stop_; })) {
      auto s = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - start).count();
      std::string d = detail_ ? detail_() : "";
      kit::log::info("progress: " + phase_ + (d.empty() ? "" : ", " + d) + ", elapsed " + std::to_string(s) + "s");
    }
  });
}

Heartbeat::~Heartbeat() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

std::string format_bytes(unsigned long long bytes) {
  char buf[32];
  if (bytes >= (1ull << 30)) std::snprintf(buf, sizeof buf, "%.1f GB", bytes / double(1ull << 30));
  else if (bytes >= (1ull << 20)) std::snprintf(buf, sizeof buf, "%.0f MB", bytes / double(1ull << 20));
  else std::snprintf(buf, sizeof buf, "%llu kB", bytes / 1024);
  return buf;
}

}  // namespace pitr_restore
