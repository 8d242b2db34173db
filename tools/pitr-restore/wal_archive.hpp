#pragma once
// A self-managed backup as files: the base backup (pg_basebackup -Fp: backup_label,
// backup_manifest) and the WAL archive (archive_command's directory). Reading them gives the
// recovery window and finds a gap in the archive before anything is changed.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pitr-restore/target.hpp"
#include "pitr-restore/window.hpp"

namespace pitr_restore {

struct BaseBackup {
  std::string dir;
  std::uint32_t timeline = 1;
  std::string start_lsn;      // START WAL LOCATION
  std::string start_segment;  // "000000010000000000000002"
  std::optional<Micros> start_time;
  std::string start_time_text;  // START TIME as written ("2026-11-28 10:00:00 CET")
  std::string log_timezone;     // the backup's postgresql(.auto).conf log_timezone, when it sets one
  std::string end_lsn;        // backup_manifest WAL-Ranges End-LSN, when present
  std::string label;          // LABEL
  std::string pg_version;     // PG_VERSION
};

// Throws kit::Error(usage) when `dir` is not a plain-format base backup (a tar backup, an empty
// directory, a data directory without backup_label).
BaseBackup read_base_backup(const std::string& dir);

struct Segment {
  std::uint32_t timeline = 0;
  std::uint64_t number = 0;  // log * segments_per_log + seg
  std::string name;
  Micros mtime = 0;  // when it was archived (written)
};

// "000000010000000300000004" -> {1, 3*256+4} for 16 MB segments; nullopt for other file names.
std::optional<Segment> parse_segment_name(const std::string& name, std::uint64_t segment_bytes = 16ull << 20);
std::string segment_name(std::uint32_t timeline, std::uint64_t number, std::uint64_t segment_bytes = 16ull << 20);

struct Archive {
  std::string dir;
  std::vector<Segment> segments;  // complete segments, sorted by (timeline, number)
  // Backup history files ("<segment>.<offset>.backup") the server archives when a base backup
  // ends: the only record of the backup's STOP TIME.
  std::vector<std::string> backup_histories;
  std::uint64_t segment_bytes = 16ull << 20;
};

// Throws kit::Error(usage) when the directory cannot be read.
Archive read_archive(const std::string& dir);

// The first segment missing on `timeline` between `from` and the newest archived segment, with
// the extra segments (a base backup's pg_wal, the old data directory's unarchived pg_wal) counted.
std::optional<std::string> first_gap(const Archive& archive, std::uint32_t timeline, const std::string& from_segment,
                                     const std::vector<std::string>& extra_names);

// Where and when the base backup ended, from its backup history file in the archive (matched by
// START WAL LOCATION): STOP TIME (whole seconds) and STOP WAL LOCATION. `problem` says why a part is
// unknown (no such file: archiving was off or the file was pruned; a time in a zone we do not read).
struct BackupEnd {
  std::optional<Micros> time;
  std::string lsn;
  std::string file;
  std::string problem;
};
BackupEnd backup_end(const BaseBackup& backup, const Archive& archive);

// The window a base backup plus its archive can reach: from the backup's end (the first moment it
// is consistent: a target before it fails in recovery) to the newest
// archived segment on the backup's timeline (its archive time), or `now` when the server still
// runs (its WAL will be carried over once it stops), else to the carried WAL's last write.
// `carried_latest`: the newest write time of the stopped server's unarchived WAL, carried over.
Window self_managed_window(const BaseBackup& backup, const BackupEnd& end, const Archive& archive, bool server_running,
                           std::optional<Micros> carried_latest, Micros now);

// The newest archived segment's name on `timeline`, "" if none.
std::string newest_segment(const Archive& archive, std::uint32_t timeline);

// A file's modification time, with PostgreSQL's resolution.
std::optional<Micros> mtime_of(const std::string& path);

// The restore points (pg_create_restore_point) recorded in the WAL segments `first`..`last` of
// `dir`, read with pg_waldump (XLOG records only). nullopt, with `problem`, when pg_waldump could
// not run; reading stops quietly where the WAL ends.
std::optional<std::vector<NamedPoint>> scan_restore_points(const std::string& pg_bin, const std::string& dir, const std::string& first,
                                                           const std::string& last, std::string& problem);

// Segment files in a data directory's pg_wal, on `timeline`.
std::vector<std::string> wal_segments_in(const std::string& pg_wal, std::uint32_t timeline);

}  // namespace pitr_restore
