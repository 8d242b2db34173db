#include "pg/restore_marker.hpp"

#include "kit/log.hpp"
#include "pg/connection.hpp"

namespace pg {

std::string restore_point_name(const std::string& compact_time, const std::string& first_migration) {
  std::string name = "migrate-guard-" + compact_time + "-" + first_migration;
  return name.substr(0, 63);
}

RestoreMarker record_restore_marker(Connection& conn, const std::string& first_migration) {
  RestoreMarker m;
  auto rows = conn.query(
      R"(SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYYMMDD"T"HH24MISS"Z"'))");
  m.time = rows[0][0].value_or("");
  std::string compact = rows[0][1].value_or("");
  try {
    m.lsn = conn.scalar("SELECT pg_current_wal_lsn()::text");
  } catch (const PgError&) {
    // Replicas and restricted roles cannot read it; the timestamp is enough to recover.
  }
  std::string name = restore_point_name(compact, first_migration);
  m.point_name = name;
  try {
    // The restore point's own LSN is the exact recovery target; the one read above is a fallback.
    std::string lsn = conn.scalar("SELECT pg_create_restore_point($1)::text", {name});
    if (!lsn.empty()) m.lsn = lsn;
    m.name = name;
  } catch (const PgError& e) {
    m.why_no_name = e.what();
    kit::log::info(std::string("no named restore point (") + e.what() + "); the timestamp " + m.time + " is the recovery target");
  }
  return m;
}

}  // namespace pg
