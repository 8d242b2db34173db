// The Supabase Management API's answers (backups window, project status, restore points) as the
// stand-in or a hostile proxy may send them. Invariants: nothing throws; a window read is what the
// body says when it says it with integers.
#include "fuzz_support.hpp"
#include "supabase/management_api.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string body = fuzz::as_string(data, size);
  auto backups = supabase::read_backups(body);
  if (backups && backups->earliest_unix && backups->latest_unix)
    (void)(*backups->latest_unix - *backups->earliest_unix / 2);  // both are plain int64 values
  auto status = supabase::read_project_status(body);
  FUZZ_CHECK(!status || status->size() <= body.size(), "a status comes from the body");
  for (const auto& p : supabase::read_restore_points(body)) FUZZ_CHECK(p.name.size() <= body.size(), "a name comes from the body");
  return 0;
}
