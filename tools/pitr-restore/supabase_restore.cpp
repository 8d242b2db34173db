#include "pitr-restore/supabase_restore.hpp"

#include <algorithm>
#include <chrono>
#include <thread>

#include "kit/error.hpp"
#include "kit/log.hpp"
#include "kit/secrets.hpp"
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

// A Unix time from the API as microseconds, when it is one: after 2000 and before 3000 (anything
// else is a damaged answer, and 2^63 seconds would overflow on the way to microseconds).
std::optional<Micros> plausible_time(std::int64_t unix_seconds) {
  if (unix_seconds < 946'684'800 || unix_seconds >= 32'503'680'000) return std::nullopt;
  return unix_seconds * 1'000'000;
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
  if (b.earliest_unix) w.earliest = plausible_time(*b.earliest_unix);
  if (b.latest_unix) w.latest = plausible_time(*b.latest_unix);
  w.earliest_source = "physical_backup_data.earliest_physical_backup_date_unix";
  w.latest_source = "physical_backup_data.latest_physical_backup_date_unix";
  if (b.pitr_enabled && (!w.earliest || !w.latest)) {
    w.available = false;
    w.unavailable_reason = b.window_unreadable                   ? "the Management API reported a recovery window this tool cannot read (not Unix times)"
                           : (b.earliest_unix || b.latest_unix) ? "the Management API reported a recovery window this tool cannot read (times out of range)"
                                                                : "the Management API reported PITR enabled but no recovery window yet";
  } else if (b.pitr_enabled && *w.earliest > *w.latest) {
    w.available = false;
    w.unavailable_reason = "the Management API reported a recovery window that ends before it starts (" + format_time(*w.earliest) +
                           " .. " + format_time(*w.latest) + ")";
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
    w.restore_points_unavailable = "project " + ref + " offers no named restore points (the list answered " + std::to_string(e.status) +
                                   (e.status == 403 ? ": this token's user may not list them" : ": they are not enabled on it") +
                                   "); pick a time with --to instead";
    kit::log::debug(std::string("no named restore points: ") + e.what());
  }
  // A restore under way makes every plan moot until it ends (Refusal::busy). Unreadable here, it is
  // read again (and must be) right before a restore request.
  try {
    w.project_status = kit::redacted_excerpt(api.project_status(ref), 40);
  } catch (const supabase::ApiError& e) {
    if (e.status == 401 || e.status == 429) throw;
    kit::log::warn(std::string("the project's status could not be read: ") + e.what());
  }
  return f;
}

RestoreResult restore_supabase(const Request& r, const Plan& plan, const kit::Env& env) {
  RestoreResult result;
  Timeline& tl = result.timeline;
  supabase::ManagementApi api(config_of(r));
  const std::string& ref = r.supabase.project_ref;
  const std::string hint =
      "the restore was requested and may still be running: watch the project in the dashboard; do not request another restore "
      "before it is ACTIVE_HEALTHY";
  // The status polls are not retried inside the client: a 429's Retry-After (up to a minute) is
  // waited out here, in steps of --poll-interval, each with its progress line (one every 10 s at
  // least in CI logs, even in a 429 storm). Each poll waits at most 10 s, and never past --timeout.
  supabase::ApiConfig poll_config = config_of(r);
  poll_config.retry.max_attempts = 1;
  poll_config.request_timeout = std::min(poll_config.request_timeout, kit::Millis(10'000));
  supabase::ManagementApi poller(std::move(poll_config));
  // Read again right before the request: the plan's read may be minutes old (a typed confirmation),
  // and a restore requested while another runs may land further back than either target.
  if (std::string busy = operation_under_way_refusal(ref, kit::redacted_excerpt(api.project_status(ref), 40)); !busy.empty())
    throw refused_error(busy, Refusal::busy);
  try {
    if (plan.target.kind == TargetKind::restore_point) {
      api.undo(ref, plan.target.name);
      tl.add("restore to restore point " + plan.target.name + " requested (POST .../database/backups/undo answered 201)");
    } else {
      std::int64_t seconds = *plan.target.time / 1'000'000;
      api.restore_pitr(ref, seconds);
      tl.add("restore to " + format_time(seconds * 1'000'000) + " requested (POST .../database/backups/restore-pitr answered 201)");
    }
  } catch (const supabase::ApiError& e) {
    if (!e.outcome_unknown) throw;
    // Sent once, no success back: say what the project shows now, never "nothing was changed".
    std::string now;
    try {
      std::string status = kit::redacted_excerpt(poller.project_status(ref), 40);
      now = status == "ACTIVE_HEALTHY" ? "project " + ref + " is ACTIVE_HEALTHY right after: the restore may not have started (or not yet)"
                                       : "project " + ref + " is " + status + " right after: the restore was most likely accepted";
    } catch (const supabase::ApiError& p) {
      now = std::string("its status could not be read either (") + p.what() + ")";
    }
    throw kit::partial_error("Supabase Management API: " + std::string(e.what()) +
                                 "; the request was sent once and not repeated, as it may have been carried out; " + now,
                             "look at the project in the dashboard before anything else; do not request another restore until it is "
                             "ACTIVE_HEALTHY, then run `pitr-restore window` to see where the database is");
  }
  using clock = std::chrono::steady_clock;
  auto start = clock::now();
  auto next_poll = start;
  std::string last_status;
  bool seen_other = false;
  // Right after the request the project may still say ACTIVE_HEALTHY for a moment: that is only
  // "back" once another status was seen, or after a grace period without one.
  const kit::Millis grace = std::min(kit::Millis(60'000), r.timeout / 2);
  for (;;) {
    auto round_start = clock::now();
    auto elapsed = std::chrono::duration_cast<kit::Millis>(round_start - start);
    std::string status;
    if (clock::now() < next_poll) {
      kit::log::info("progress: waiting out the Management API's Retry-After before the next status poll, elapsed " +
                     kit::format_duration(kit::Millis(elapsed.count() / 1000 * 1000)));
    } else try {
      poller.set_request_timeout(std::clamp(r.timeout - elapsed, kit::Millis(1'000), kit::Millis(10'000)));
      status = kit::redacted_excerpt(poller.project_status(ref), 40);  // the API's text: bounded
    } catch (const supabase::ApiError& e) {
      if (e.status == 429) next_poll = clock::now() + std::min(e.retry_after.value_or(r.poll_interval), kit::Millis(120'000));
      // The project is unreachable while it restores; the API itself may stumble. Keep polling
      // until the deadline, saying so each time.
      kit::log::warn(std::string("progress: status poll failed (") + e.what() + "), elapsed " + kit::format_duration(kit::Millis(elapsed.count() / 1000 * 1000)));
      if (e.status == 401 || e.status == 403 || e.status == 404)
        throw kit::partial_error("the restore was requested, then the Management API refused the status poll: " + std::string(e.what()), hint);
    }
    elapsed = std::chrono::duration_cast<kit::Millis>(clock::now() - start);  // the poll itself takes time
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
    // Polls keep their cadence: a slow answer shortens the wait after it (a line every 10 s at least).
    auto took = std::chrono::duration_cast<kit::Millis>(clock::now() - round_start);
    std::this_thread::sleep_for(std::max(kit::Millis(0), std::min(r.poll_interval - took, r.timeout - elapsed + kit::Millis(1))));
  }
  result.restored_at = now_micros();
  if (r.verify_sql) {  // request_from refused --verify-sql without --database-url
    result.verify.ran = true;
    auto row = first_row(endpoint_from_url(r, env), *r.verify_sql, r.connect_timeout);
    result.verify.passed = row.has_value();
    if (row) result.verify.row = *row;
    tl.add(row ? "verify: --verify-sql returned a row" : "verify: --verify-sql returned NO row");
  }
  return result;
}

}  // namespace pitr_restore
