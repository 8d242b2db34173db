#pragma once
// The folder compared with the ledger, Prisma's way, plus what Prisma computes but never shows:
// migrations edited after being applied and applied migrations missing from the folder.
#include <optional>
#include <string>
#include <vector>

#include "migrate-guard/ledger.hpp"
#include "migrate-guard/migrations.hpp"

namespace migrate_guard {

enum class State {
  applied,      // finished, not rolled back, checksum matches
  edited,       // applied, but the file changed since (checksum mismatch, CRLF/LF tolerated)
  pending,      // on disk, never applied (or only rolled back)
  failed,       // started, not finished, not rolled back: blocks deploy (Prisma P3009)
  missing,      // applied according to the ledger, no folder on disk
};

const char* state_name(State s);

struct Entry {
  std::string name;
  State state = State::pending;
  const Migration* file = nullptr;     // null when missing on disk
  std::optional<LedgerRow> row;        // the row that decides the state
  int rolled_back_rows = 0;            // earlier attempts resolved as rolled back
  bool interrupted() const { return state == State::failed && row && !row->logs; }  // no error recorded: the runner died
};

struct Status {
  bool ledger_exists = false;
  std::vector<Entry> entries;  // folder order, then missing-on-disk ones in ledger order
  std::vector<const Entry*> with(State s) const;
  bool up_to_date() const;     // nothing pending, failed, edited or missing
};

Status compare(const std::vector<Migration>& disk, const std::vector<LedgerRow>& ledger, bool ledger_exists);

}  // namespace migrate_guard
