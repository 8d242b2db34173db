#pragma once
// ota-publish as a library: the option declaration, whose commands carry the functions below
// (one file each in commands/).
#include "kit/options.hpp"
#include "kit/runtime.hpp"

namespace ota {

const kit::ToolSpec& spec();
kit::Outcome run_publish(kit::Context& ctx);
kit::Outcome run_rollback(kit::Context& ctx);
kit::Outcome run_rollout(kit::Context& ctx);
kit::Outcome run_check_config(kit::Context& ctx);
kit::Outcome run_plan(kit::Context& ctx);

}  // namespace ota
