#pragma once
// What a restore or a rehearsal did: the timeline for the step summary and the facts for outputs.
#include <optional>
#include <string>
#include <vector>

#include "kit/duration.hpp"
#include "pitr-restore/target.hpp"

namespace pitr_restore {

struct Event {
  kit::Millis at{0};  // since the start
  std::string what;
};

class Timeline {
 public:
  Timeline();
  void add(std::string what);  // also logged
  const std::vector<Event>& events() const { return events_; }
  kit::Millis elapsed() const;

 private:
  std::int64_t start_ms_;
  std::vector<Event> events_;
};

struct VerifyResult {
  bool ran = false;
  bool passed = false;
  std::vector<std::string> row;  // the first row, when there was one
};

struct RestoreResult {
  Timeline timeline;
  Micros restored_at = 0;           // when the database was back (promoted / ACTIVE_HEALTHY)
  std::string old_data_dir;         // self-managed
  std::string replay_lsn;           // self-managed: where recovery ended
  std::string scratch_dir;          // rehearsal
  int port = 0;                     // rehearsal
  bool kept = false;                // rehearsal: left running
  VerifyResult verify;
};

Micros now_micros();

}  // namespace pitr_restore
