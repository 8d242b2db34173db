#include "pitr-restore/supabase_restore.hpp"

#include <chrono>
#include <thread>

#include "kit/error.hpp"
#include "kit/log.hpp"
#include "pitr-restore/database.hpp"
#include "supabase/management_api.hpp"

namespace pitr_restore {
namespace {

supabase::ApiConfig config_of(const Request& r) {
  supabase::ApiConfig c;
  c.base_url = r.supabase.api_url;
  c.token = r.supabase.token;
  c.tls = r.supabase.tls;
  return c;
}

}  // namespace

Facts supabase_facts(const Request& r) {
  Facts f;
  supabase::ManagementApi api(config_of(r));
  const std::string& ref = r.supabase.project_ref;
  supabase::Backups b = api.backups(ref);
  Window& w = f.window;
  w.available = b.pitr_enabled;
  if (!b.pitr_enabled)
    w.unavailable_reason = "point-in-time recovery is not enabled on project " + ref +
                           " (a paid add-on: Dashboard > Database > Backups); only daily backups exist";
  if (b.earliest_unix) w.earliest = *b.earliest_unix * 1'000'000;
  if (b.latest_unix) w.latest = *b.latest_unix * 1'000'000;
  w.earliest_source = "physical_backup_data.earliest_physical_backup_date_unix";
  w.latest_source = "physical_backup_data.latest_physical_backup_date_unix";
  if (b.pitr_enabled && (!w.earliest || !w.latest)) {
    w.available = false;
    w.unavailable_reason = "the Management API reported PITR enabled but no recovery window yet";
  }
  w.notes.push_back("WAL is shipped about every 2 minutes: the last ~2 minutes before now may not be recoverable");
  w.notes.push_back("Storage objects are not restored; restoring to a new project is dashboard-only");
  // Named restore points are gated per project; a refusal only means they are not enabled.
  try {
    for (const auto& p : api.restore_points(ref))
      w.restore_points.push_back({p.name, p.time_unix ? std::optional<Micros>(*p.time_unix * 1'000'000) : std::nullopt});
    w.restore_points_listed = true;
  } catch (const supabase::ApiError& e) {
    if (e.status == 401 || e.status == 0 || e.status == 429 || e.status >= 500) throw;
    kit::log::debug(std::string("no named restore points: ") + e.what());
  }
  return f;
}

RestoreResult restore_supabase(const Request& r, const Plan& plan, const kit::Env& env) {
  RestoreResult result;
  Timeline& tl = result.timeline;
  supabase::ManagementApi api(config_of(r));
  const std::string& ref = r.supabase.project_ref;
  if (plan.target.kind == TargetKind::restore_point) {
    api.undo(ref, plan.target.name);
    tl.add("restore to restore point " + plan.target.name + " requested (POST .../database/backups/undo answered 201)");
  } else {
    std::int64_t seconds = *plan.target.time / 1'000'000;
    api.restore_pitr(ref, seconds);
    tl.add("restore to " + format_time(seconds * 1'000'000) + " requested (POST .../database/backups/restore-pitr answered 201)");
  }
  const std::string hint =
      "the restore was requested and may still be running: watch the project in the dashboard; do not request another restore "
      "before it is ACTIVE_HEALTHY";
  using clock = std::chrono::steady_clock;
  auto start = clock::now();
  std::string last_status;
  bool seen_other = false;
  // Right after the request the project may still say ACTIVE_HEALTHY for a moment: that is only
  // "back" once another status was seen, or after a grace period without one.
  const kit::Millis grace = std::min(kit::Millis(60'000), r.timeout / 2);
  for (;;) {
    auto elapsed = std::chrono::duration_cast<kit::Millis>(clock::now() - start);
    std::string status;
    try {
      status = api.project_status(ref);
    } catch (const supabase::ApiError& e) {
      // The project is unreachable while it restores; the API itself may stumble. Keep polling
      // until the deadline, saying so each time.
      kit::log::warn(std::string("progress: status poll failed (") + e.what() + "), elapsed " + kit::format_duration(kit::Millis(elapsed.count() / 1000 * 1000)));
      if (e.status == 401 || e.status == 403 || e.status == 404)
        throw kit::partial_error("the restore was requested, then the Management API refused the status poll: " + std::string(e.what()), hint);
    }
    if (!status.empty()) {
      if (status != last_status) tl.add("project " + ref + " is " + status);
      kit::log::info("progress: project " + ref + " is " + status + ", elapsed " +
                     kit::format_duration(kit::Millis(elapsed.count() / 1000 * 1000)));
      last_status = status;
      if (status != "ACTIVE_HEALTHY") seen_other = true;
      else if (seen_other || elapsed >= grace) break;
    }
    if (elapsed >= r.timeout)
      throw kit::partial_error("project " + ref + " is still " + (last_status.empty() ? "not answering" : last_status) + " " +
                                   kit::format_duration(r.timeout) + " after the restore was requested",
                               hint);
    std::this_thread::sleep_for(std::min(r.poll_interval, r.timeout - elapsed + kit::Millis(1)));
  }
  result.restored_at = now_micros();
  if (r.verify_sql) {
    if (!r.database_url)
      throw kit::partial_error("the project is restored but --verify-sql needs --database-url", "run the query by hand");
    result.verify.ran = true;
    auto row = first_row(endpoint_from_url(*r.database_url, env), *r.verify_sql, r.connect_timeout);
    result.verify.passed = row.has_value();
    if (row) result.verify.row = *row;
    tl.add(row ? "verify: --verify-sql returned a row" : "verify: --verify-sql returned NO row");
  }
  return result;
}

}  // namespace pitr_restore
