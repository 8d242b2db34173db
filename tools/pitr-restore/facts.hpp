#pragma once
// Reads what a plan needs from the provider (window, restore points, server state) and from the
// application's database (the migration ledger). Changes nothing.
#include "kit/env.hpp"
#include "pitr-restore/plan.hpp"
#include "pitr-restore/request.hpp"

namespace pitr_restore {

Facts gather_facts(const Request& request, const kit::Env& env, Micros now);

}  // namespace pitr_restore
