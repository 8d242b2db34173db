#pragma once
// Independent requests at once: fn(i) for every i in [0, n) on up to `jobs` threads, the calling
// thread being one of them (no thread at all for a single item). Each thread takes its clients
// from the session's pool (RegistrySession::client), so the connections opened by one phase are
// reused by the next. After the first exception no new item starts; it is rethrown once every
// thread has stopped.
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace image_promote {

// `spawn(worker)` starts one thread (a parameter so that a test can make it fail).
template <class Fn, class Spawn>
void parallel_for(size_t n, int jobs, Fn&& fn, Spawn&& spawn) {
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex mutex;
  std::exception_ptr error;
  auto worker = [&] {
    for (size_t i; !failed && (i = next++) < n;) {
      try {
        fn(i);
      } catch (...) {
        std::lock_guard lock(mutex);
        if (!error) error = std::current_exception();
        failed = true;
      }
    }
  };
  size_t threads = std::min<size_t>(static_cast<size_t>(std::max(1, jobs)), std::max<size_t>(1, n));
  std::vector<std::thread> pool;
  try {
    for (size_t i = 1; i < threads; ++i) pool.push_back(spawn(worker));
  } catch (...) {
    // No thread to be had (std::system_error, EAGAIN): fewer threads, not a failure. Letting it
    // out would destroy `pool` holding running threads (std::terminate); the threads started and
    // this one share the items instead.
  }
  worker();
  for (auto& t : pool) t.join();
  if (error) std::rethrow_exception(error);
}

template <class Fn>
void parallel_for(size_t n, int jobs, Fn&& fn) {
  parallel_for(n, jobs, std::forward<Fn>(fn), [](auto& worker) { return std::thread(worker); });
}

}  // namespace image_promote
