// migration_lock.toml from the repository (Prisma writes provider = "postgresql").
// Invariants: "" only for a postgresql provider; otherwise one line saying what is wrong.
#include "fuzz_support.hpp"
#include "migrate-guard/migrations.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text = fuzz::as_string(data, size);
  std::string problem = migrate_guard::check_lock_toml(text);
  if (problem.empty())
    FUZZ_CHECK(text.find("postgres") != std::string::npos, "accepted only when it names postgresql");
  // position_in maps server error positions into the same kind of untrusted file.
  auto p = migrate_guard::position_in(text, static_cast<int>(size / 2) + 1);
  FUZZ_CHECK(p.line >= 1 && p.col >= 1, "positions are 1-based");
  return 0;
}
