#pragma once
// Self-managed PostgreSQL: a base backup + WAL archive (provider postgres) or a pgBackRest stanza
// (provider pgbackrest) restored into the data directory, or rehearsed in a scratch one.
#include "kit/env.hpp"
#include "pitr-restore/plan.hpp"
#include "pitr-restore/request.hpp"
#include "pitr-restore/result.hpp"

namespace pitr_restore {

// Reads the backup, the archive (or pgbackrest info) and the server's state. Changes nothing.
Facts self_managed_facts(const Request& request, Micros now);

// Executes a plan that is ok(): stop (if allowed), move aside, restore, recover, wait, verify.
// Throws kit::Error: environment (3) while nothing has changed, partial (4) after the data
// directory was moved aside, always naming where the old one is and how to put it back.
RestoreResult restore_self_managed(const Request& request, const Plan& plan, const Facts& facts, const kit::Env& env);

// The same target into a scratch data directory on a spare port; production is only read.
RestoreResult rehearse_self_managed(const Request& request, const Plan& plan, const kit::Env& env);

}  // namespace pitr_restore
