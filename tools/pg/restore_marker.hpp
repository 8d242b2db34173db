#pragma once
// The point to recover to if a deploy goes wrong: recorded just before the first change. The
// server's timestamp always (pitr-restore --target-time), plus a named restore point
// (pg_create_restore_point, superuser or granted) when the server allows one.
#include <string>

namespace pg {

class Connection;

struct RestoreMarker {
  std::string time;  // server clock, ISO 8601 UTC with microseconds
  std::string lsn;   // WAL position, when readable
  std::string name;  // restore point name, "" when none could be created
  // restore_point_name() of this marker, even when the server would not create it: a provider's
  // own restore point (Supabase) takes this name, which pitr-restore --before-migration recognises.
  std::string point_name;
  std::string why_no_name;
};

RestoreMarker record_restore_marker(Connection& conn, const std::string& first_migration);

// "migrate-guard-20240101T120000Z-<migration>", cut to PostgreSQL's 63-byte limit.
std::string restore_point_name(const std::string& compact_time, const std::string& first_migration);

}  // namespace pg
