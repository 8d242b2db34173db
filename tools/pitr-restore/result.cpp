#include "pitr-restore/result.hpp"

#include <chrono>

#include "kit/log.hpp"

namespace pitr_restore {

namespace {
std::int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
}  // namespace

Micros now_micros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

Timeline::Timeline() : start_ms_(steady_ms()) {}

void Timeline::add(std::string what) {
  kit::log::info(what);
  events_.push_back({elapsed(), std::move(what)});
}

kit::Millis Timeline::elapsed() const { return kit::Millis(steady_ms() - start_ms_); }

}  // namespace pitr_restore
