#pragma once
// pitr-restore as a library: the option declaration, whose commands carry the functions below.
#include "kit/options.hpp"
#include "kit/runtime.hpp"

namespace pitr_restore {

const kit::ToolSpec& spec();
// Rethrows a Supabase ApiError or a PgError (called inside a catch block) as a kit::Error.
void lift_error();

// One function per command (tools/pitr-restore/commands/<name>.cpp); kit::run_tool dispatches.
kit::Outcome run_window(kit::Context& ctx);
kit::Outcome run_plan(kit::Context& ctx);
kit::Outcome run_restore(kit::Context& ctx);
kit::Outcome run_rehearse(kit::Context& ctx);

}  // namespace pitr_restore
