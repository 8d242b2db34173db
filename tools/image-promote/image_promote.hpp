#pragma once
// image-promote as a library: the option declaration, whose commands carry their functions
// (commands/<name>.cpp).
#include "kit/options.hpp"
#include "kit/runtime.hpp"

namespace image_promote {

const kit::ToolSpec& spec();

}  // namespace image_promote
