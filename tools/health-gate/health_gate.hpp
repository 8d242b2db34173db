#pragma once
// health-gate as a library: the option declaration, the plan built from it, and the run.
#include "health-gate/config.hpp"
#include "kit/options.hpp"
#include "kit/runtime.hpp"

namespace health_gate {

const kit::ToolSpec& spec();
// Validates the options into a plan. Throws kit::Error(usage) with one line on bad input.
Config plan(const kit::Args& args, const kit::Env& env);
kit::Outcome run(kit::Context& ctx);

}  // namespace health_gate
