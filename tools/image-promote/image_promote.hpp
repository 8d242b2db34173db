#pragma once
// image-promote as a library: the option declaration, whose commands carry the functions below.
#include "kit/options.hpp"
#include "kit/runtime.hpp"

namespace image_promote {

const kit::ToolSpec& spec();
kit::Outcome run_digest(kit::Context& ctx);
kit::Outcome run_inspect(kit::Context& ctx);
kit::Outcome run_copy(kit::Context& ctx);
kit::Outcome run_promote(kit::Context& ctx);
kit::Outcome run_rollback(kit::Context& ctx);
kit::Outcome run_history(kit::Context& ctx);
kit::Outcome run_gate(kit::Context& ctx);

}  // namespace image_promote
