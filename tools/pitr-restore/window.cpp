#include "pitr-restore/window.hpp"

namespace pitr_restore {

const char* provider_name(Provider p) {
  switch (p) {
    case Provider::supabase: return "supabase";
    case Provider::postgres: return "postgres";
    case Provider::pgbackrest: return "pgbackrest";
  }
  return "?";
}

std::string Window::describe() const {
  if (!available) return "no point-in-time recovery (" + unavailable_reason + ")";
  return (earliest ? format_time(*earliest) : std::string("?")) + " .. " + (latest ? format_time(*latest) : std::string("now"));
}

bool operation_under_way(const std::string& s) {
  for (const char* busy : {"RESTORING", "COMING_UP", "GOING_DOWN", "RESTARTING", "UPGRADING", "RESIZING", "PAUSING"})
    if (s == busy) return true;
  return false;
}

std::string operation_under_way_refusal(const std::string& project_ref, const std::string& project_status) {
  if (!operation_under_way(project_status)) return "";
  return "project " + project_ref + " is " + project_status + ": a restore or another operation is under way";
}

std::string refusal(const RecoveryTarget& target, const Window& window, Micros now) {
  if (!window.available) return "point-in-time recovery is not available: " + window.unavailable_reason;
  std::string in_window = "; the recovery window is " + window.describe();
  if (target.kind == TargetKind::restore_point) {
    bool known = false;
    for (const auto& p : window.restore_points) known = known || p.name == target.name;
    if (!window.restore_points_unavailable.empty())
      return "restore point '" + target.name + "' cannot be used: " + window.restore_points_unavailable;
    // Only a window that lists every restore point can refuse an unknown one.
    if (!known && window.restore_points_listed)
      return "restore point '" + target.name + "' is not known" + in_window;
    // Where the WAL holds the point decides, not its time (names and times are whole seconds):
    // recovery can stop there only once it has replayed past the base backup's end.
    for (const auto& p : window.restore_points)
      if (p.name == target.name && p.lsn && window.earliest_lsn && window.earliest_lsn_is_backup_end) {
        if (*p.lsn < *window.earliest_lsn)
          return "restore point '" + target.name + "' (WAL position " + format_lsn(*p.lsn) +
                 ") was created before the base backup's consistent point " + format_lsn(*window.earliest_lsn) + in_window;
        return "";
      }
  }
  if (target.kind == TargetKind::lsn && !target.lsn.empty() && (window.earliest_lsn || window.latest_lsn)) {
    // Recovery would only find out after the data directory was replaced: refuse now.
    std::uint64_t v = lsn_value(target.lsn);
    std::string range = "; the WAL at hand spans " + (window.earliest_lsn ? format_lsn(*window.earliest_lsn) : std::string("?")) + " .. " +
                        (window.latest_lsn ? format_lsn(*window.latest_lsn) : std::string("the running server's position"));
    if (window.earliest_lsn && v < *window.earliest_lsn)
      return "the target LSN " + target.lsn + " is before the base backup's consistent point" + range + in_window;
    if (window.latest_lsn && v > *window.latest_lsn)
      return "the target LSN " + target.lsn + " is beyond the end of the WAL available" + range + in_window;
  }
  if (!target.time) return "";
  Micros t = *target.time;
  if (t > now) return "the target " + format_time(t) + " is in the future (now is " + format_time(now) + ")" + in_window;
  if (!window.earliest && !window.earliest_unknown.empty())
    return "the target " + format_time(t) + " cannot be checked against the base backup: " + window.earliest_unknown +
           "; choose a target by WAL position instead (--lsn, or --restore-point for a point the WAL holds), or set "
           "log_timezone = 'UTC' on the server and take a new base backup" +
           in_window;
  if (window.earliest && t < *window.earliest)
    return "the target " + format_time(t) + " is before the earliest base backup" +
           (window.earliest_source.empty() ? "" : " (" + window.earliest_source + ")") + in_window;
  if (window.latest && t > *window.latest)
    return "the target " + format_time(t) + " is after the latest recoverable moment" + in_window;
  return "";
}

}  // namespace pitr_restore
