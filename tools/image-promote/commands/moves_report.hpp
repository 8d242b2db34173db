#pragma once
// How promote and rollback report their tag moves, and what their exit 3 says.
#include <string>
#include <vector>

#include "image-promote/promote.hpp"
#include "kit/runtime.hpp"

namespace image_promote::commands {

void report_moves(kit::Context& ctx, const std::string& title, const std::vector<TagMove>& moves);

// Runs a promote/rollback step. An exit 3 from it means nothing was changed (the library puts a
// written tag back, or reports 4): said by the category, appended here once for all of them.
template <typename F>
auto nothing_changed_on_error(F f) {
  try {
    return f();
  } catch (const kit::Error& e) {
    if (e.code() != kit::Exit::environment) throw;
    throw kit::Error(e.code(), std::string(e.what()) + "; nothing was changed", e.hint());
  }
}

}  // namespace image_promote::commands
