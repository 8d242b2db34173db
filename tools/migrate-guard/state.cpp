#include "migrate-guard/state.hpp"

#include <map>

namespace migrate_guard {

const char* state_name(State s) {
  switch (s) {
    case State::applied: return "applied";
    case State::edited: return "edited after apply";
    case State::pending: return "pending";
    case State::failed: return "failed";
    case State::missing: return "applied, missing on disk";
  }
  return "?";
}

std::vector<const Entry*> Status::with(State s) const {
  std::vector<const Entry*> out;
  for (const auto& e : entries)
    if (e.state == s) out.push_back(&e);
  return out;
}

bool Status::up_to_date() const {
  for (const auto& e : entries)
    if (e.state != State::applied) return false;
  return true;
}

namespace {

// Decides one migration's state from its rows (oldest first), as Prisma does: a finished row
// that was not rolled back means applied; an unfinished one that was not rolled back means failed.
void judge(Entry& e, const std::vector<const LedgerRow*>& rows) {
  const LedgerRow* applied = nullptr;
  const LedgerRow* failed = nullptr;
  for (const auto* r : rows) {
    if (r->rolled_back_at) {
      ++e.rolled_back_rows;
      continue;
    }
    if (r->finished_at) applied = r;
    else failed = r;
  }
  if (failed) {
    e.state = State::failed;
    e.row = *failed;
  } else if (applied) {
    e.row = *applied;
    if (!e.file) e.state = State::missing;
    else e.state = checksum_matches(*e.file, applied->checksum) ? State::applied : State::edited;
  } else {
    e.state = State::pending;
  }
}

}  // namespace

Status compare(const std::vector<Migration>& disk, const std::vector<LedgerRow>& ledger, bool ledger_exists) {
  Status s;
  s.ledger_exists = ledger_exists;
  std::map<std::string, std::vector<const LedgerRow*>> by_name;
  std::vector<std::string> ledger_order;
  for (const auto& r : ledger) {
    if (!by_name.count(r.name)) ledger_order.push_back(r.name);
    by_name[r.name].push_back(&r);
  }
  std::map<std::string, bool> on_disk;
  for (const auto& m : disk) {
    on_disk[m.name] = true;
    Entry e;
    e.name = m.name;
    e.file = &m;
    judge(e, by_name[m.name]);
    s.entries.push_back(std::move(e));
  }
  for (const auto& name : ledger_order) {
    if (on_disk.count(name)) continue;
    Entry e;
    e.name = name;
    judge(e, by_name[name]);
    if (e.state == State::pending) continue;  // only rolled-back attempts of a deleted migration: nothing to say
    s.entries.push_back(std::move(e));
  }
  return s;
}

}  // namespace migrate_guard
