// The Supabase Management API's answers (backups window, project status, restore points) as the
// stand-in or a hostile proxy may send them. Invariants: nothing throws (UBSan aborts on an
// out-of-range conversion); every string read comes from the body.
#include "fuzz_support.hpp"
#include "supabase/management_api.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string body = fuzz::as_string(data, size);
  auto backups = supabase::read_backups(body);
  if (backups)
    for (const auto& t : backups->backup_times) FUZZ_CHECK(t.size() <= body.size(), "a backup time comes from the body");
  auto status = supabase::read_project_status(body);
  FUZZ_CHECK(!status || status->size() <= body.size(), "a status comes from the body");
  for (const auto& p : supabase::read_restore_points(body)) FUZZ_CHECK(p.name.size() <= body.size(), "a name comes from the body");
  return 0;
}
