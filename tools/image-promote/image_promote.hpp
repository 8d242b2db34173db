#pragma once
// image-promote as a library: the option declaration and the run (one body for every command).
#include "kit/options.hpp"
#include "kit/runtime.hpp"

namespace image_promote {

const kit::ToolSpec& spec();
kit::Outcome run(kit::Context& ctx);

}  // namespace image_promote
