#pragma once
// migrate-guard as a library: the option declaration and the command dispatcher main() calls.
#include "kit/options.hpp"
#include "kit/runtime.hpp"

namespace migrate_guard {

const kit::ToolSpec& spec();
kit::Outcome run(kit::Context& ctx);

// One function per command (run() dispatches on ctx.args.command()).
kit::Outcome run_status(kit::Context& ctx);
kit::Outcome run_deploy(kit::Context& ctx);
kit::Outcome run_resolve(kit::Context& ctx);
kit::Outcome run_lint(kit::Context& ctx);
kit::Outcome run_drift(kit::Context& ctx);

}  // namespace migrate_guard
