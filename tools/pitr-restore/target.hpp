#pragma once
// What to recover to, as the operator said it (--to, --restore-point, --lsn, --before-migration),
// and the resolved recovery target the server or the API is given. Pure values: parsed and
// formatted here without any server, so the unit tests cover every accepted and refused form.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pitr_restore {

// Microseconds since the Unix epoch, UTC: PostgreSQL's own resolution.
using Micros = std::int64_t;

enum class TargetKind { time, restore_point, lsn, before_migration };
const char* target_kind_name(TargetKind kind);

// The target as asked for, validated but not yet resolved (before-migration needs the database).
struct TargetRequest {
  TargetKind kind = TargetKind::time;
  std::optional<Micros> time;  // --to, resolved against `now` when relative ("15m ago")
  std::string name;            // --restore-point, or the migration for before-migration
  std::string lsn;             // --lsn, normalised "0/3000028"
  std::string as_written;      // for messages
};

// Exactly one of the four may be given; throws kit::Error(usage) naming the problem otherwise.
TargetRequest parse_target(const std::optional<std::string>& to, const std::optional<std::string>& restore_point,
                           const std::optional<std::string>& lsn, const std::optional<std::string>& before_migration,
                           Micros now);

// RFC 3339 ("2026-11-28T23:10:00Z", "2026-11-28 23:10:00.25+01:00") or "<duration> ago"
// ("15m ago", "1h30m ago"). A time without an offset is refused: at 3 a.m. "which zone?" must not
// be a guess. Throws kit::Error(usage).
Micros parse_time(std::string_view text, Micros now, std::string_view what = "--to");

// "2026-11-28T23:10:00.123456Z" (fraction only when non-zero).
std::string format_time(Micros t);
// What PostgreSQL's recovery_target_time reads: "2026-11-28 23:10:00.123456+00".
std::string format_pg_time(Micros t);
// "5m30s" between two instants, for "what will be lost".
std::string format_span(Micros from, Micros to);

// "0/3000028" (hex, optional leading zeros, case-insensitive) -> normalised upper-case form;
// throws kit::Error(usage) otherwise.
std::string parse_lsn(std::string_view text, std::string_view what = "--lsn");
std::uint64_t lsn_value(const std::string& lsn);

// A restore point name PostgreSQL accepts: 1..63 bytes, printable, no quote or backslash (it
// goes into a configuration file). Throws kit::Error(usage).
std::string check_restore_point_name(std::string_view name, std::string_view what = "--restore-point");

// The target a recovery is actually given.
struct RecoveryTarget {
  TargetKind kind = TargetKind::time;  // time, restore_point or lsn (never before_migration)
  std::optional<Micros> time;          // known instant (always for time; for the others when known)
  std::string name;
  std::string lsn;
  bool inclusive = true;     // false: stop just before a commit at exactly `time` (before-migration)
  std::string source;        // "--to", "restore point migrate-guard-...", "_prisma_migrations.started_at of X"
  std::string migration;     // for before-migration
  std::string describe() const;  // one line for logs and plans
};

}  // namespace pitr_restore
