#pragma once
// The recovery window: from the earliest base backup to the latest recoverable moment, plus the
// named restore points a provider knows. A target is checked against it before anything changes.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pitr-restore/target.hpp"

namespace pitr_restore {

enum class Provider { supabase, postgres, pgbackrest };
const char* provider_name(Provider p);

struct NamedPoint {
  std::string name;
  std::optional<Micros> time;
  std::optional<std::uint64_t> lsn;  // where the WAL holds it (self-managed: read by pg_waldump)
};

struct Window {
  bool available = false;     // PITR possible at all (Supabase: the add-on is on; self-managed: a backup + archive)
  std::string unavailable_reason;
  std::optional<Micros> earliest;  // the earliest base backup's consistent point
  std::optional<Micros> latest;    // the latest recoverable moment known
  std::string earliest_source, latest_source;  // where each bound was read
  // Why the earliest bound could not be read, when it could not: a time target is then refused,
  // since nothing tells whether it is before the base backup (recovery would fail after the data
  // directory was replaced).
  std::string earliest_unknown;
  // Self-managed: the WAL positions a --lsn target must lie between (the base backup's consistent
  // point; the end of the newest WAL segment at hand). Unknown (nullopt) is not checked: pgBackRest,
  // or a running server still writing.
  std::optional<std::uint64_t> earliest_lsn, latest_lsn;
  // earliest_lsn is where the backup ended (became consistent), not only where it started: a
  // restore point is then judged by its position.
  bool earliest_lsn_is_backup_end = false;
  std::vector<NamedPoint> restore_points;
  // The provider listed every restore point (Supabase's list, a scan of the WAL): a name not in
  // the list is refused instead of failing after the data directory was replaced.
  bool restore_points_listed = false;
  // Why the provider has no restore points to offer (Supabase: the list answered 403/404, they are
  // not enabled on the project): a --restore-point target is refused then, not sent blind.
  std::string restore_points_unavailable;
  // Supabase: the project's status ("ACTIVE_HEALTHY", "RESTORING"...), when it could be read.
  std::optional<std::string> project_status;
  std::vector<std::string> notes;  // caveats shown with the window (RPO, Storage not restored...)
  std::string describe() const;  // "2026-11-28T20:00:00Z .. 2026-11-28T23:10:00Z"
};

// A Supabase project status that says an operation is under way (a restore, a restart, an
// upgrade): a restore requested now may land further back than either target, or fail.
bool operation_under_way(const std::string& project_status);
// "project REF is RESTORING: a restore or another operation is under way" when it is, else "".
std::string operation_under_way_refusal(const std::string& project_ref, const std::string& project_status);

// Why `target` cannot be recovered in `window` at `now`, or "" when it can. The message carries
// the window so the operator can pick a valid target straight away.
std::string refusal(const RecoveryTarget& target, const Window& window, Micros now);

}  // namespace pitr_restore
