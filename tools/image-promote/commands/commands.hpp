#pragma once
// The commands of image-promote, one file each (commands/<name>.cpp): options -> typed request
// -> library call -> report. spec.cpp lists them; kit::run_tool dispatches.
#include "kit/runtime.hpp"

namespace image_promote::commands {

kit::Outcome digest(kit::Context& ctx);
kit::Outcome inspect(kit::Context& ctx);
kit::Outcome copy(kit::Context& ctx);
kit::Outcome promote(kit::Context& ctx);
kit::Outcome rollback(kit::Context& ctx);
kit::Outcome history(kit::Context& ctx);
kit::Outcome gate(kit::Context& ctx);

}  // namespace image_promote::commands
