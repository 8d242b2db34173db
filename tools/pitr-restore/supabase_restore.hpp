#pragma once
// Supabase: the window and restore points from the Management API, the restore through it, and the
// wait until the project is ACTIVE_HEALTHY again (polled politely: the API allows 60 requests a minute).
#include "kit/env.hpp"
#include "pitr-restore/plan.hpp"
#include "pitr-restore/request.hpp"
#include "pitr-restore/result.hpp"

namespace pitr_restore {

Facts supabase_facts(const Request& request);

// Throws kit::Error: the API's refusal before the restore started (nothing changed: 2 or 3), or
// partial (4) when the restore was requested but the project did not come back in time.
RestoreResult restore_supabase(const Request& request, const Plan& plan, const kit::Env& env);

}  // namespace pitr_restore
