#pragma once
// drift: the migrations applied to an empty shadow database must give the schema the target has.
// A difference means someone changed the database outside the migrations (`prisma db push`
// against production, a hand-made index), or a migration was edited after it ran.
#include <optional>
#include <string>
#include <vector>

#include "migrate-guard/database.hpp"
#include "migrate-guard/migrations.hpp"

namespace migrate_guard {

struct DriftRequest {
  std::string dir;
  Database db, shadow;
  std::vector<std::string> schemas;  // empty: the target's schema
};

// A migration that fails on the empty shadow: the migrations cannot reproduce the schema.
struct ReplayFailure {
  std::string migration, path, error;
  TextPosition where;  // line 0 when the server gave no position
};

struct DriftResult {
  size_t replayed = 0;
  size_t compared = 0;                  // objects in the database's snapshot
  std::vector<std::string> notes;       // what was not replayed and why
  std::vector<std::string> only_in_database, only_in_migrations;
  std::optional<ReplayFailure> replay_failure;
  bool drift() const { return !only_in_database.empty() || !only_in_migrations.empty(); }
};

// Throws kit::Error(usage) when the shadow is the database itself or is not empty.
DriftResult check_drift(const DriftRequest& request);

}  // namespace migrate_guard
