#pragma once
// migrate-guard as a library: the option declaration, whose commands carry the functions below.
#include "kit/options.hpp"
#include "kit/runtime.hpp"

namespace migrate_guard {

const kit::ToolSpec& spec();
// Rethrows a pg::PgError (called inside a catch block) as a kit::Error; see kit::ErrorLift.
void lift_error();

// One function per command, named in the declaration; kit::run_tool dispatches.
kit::Outcome run_status(kit::Context& ctx);
kit::Outcome run_deploy(kit::Context& ctx);
kit::Outcome run_resolve(kit::Context& ctx);
kit::Outcome run_lint(kit::Context& ctx);
kit::Outcome run_drift(kit::Context& ctx);

}  // namespace migrate_guard
