#include "migrate-guard/migrate_guard.hpp"

namespace migrate_guard {
kit::Outcome run_drift(kit::Context&) { throw kit::environment_error("drift: not implemented yet"); }
}  // namespace migrate_guard
