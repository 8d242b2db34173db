#pragma once
// The recovery settings written into the restored data directory's postgresql.auto.conf (read
// after postgresql.conf, so they win), as pure text: the unit tests read exactly what PostgreSQL will.
#include <map>
#include <string>
#include <vector>

#include "pitr-restore/target.hpp"

namespace pitr_restore {

struct RecoverySettings {
  std::string restore_command;
  RecoveryTarget target;
  // "current": recover along the base backup's own timeline. The default, latest, would follow a
  // timeline an earlier restore archived, which is rarely the history the operator means.
  std::string timeline = "current";
  std::map<std::string, std::string> extra;  // rehearsal: port, sockets, archive_mode = off...
};

// `cp` from the archive, then from each fallback directory (the old data directory's unarchived
// pg_wal), as PostgreSQL's documentation does it; paths are shell-quoted.
std::string restore_command_for(const std::string& archive_dir, const std::vector<std::string>& fallback_dirs = {});

// The lines appended to postgresql.auto.conf.
std::string render_recovery_settings(const RecoverySettings& settings);

// A value quoted for postgresql.conf ('...' with quotes doubled, backslashes escaped).
std::string conf_quote(const std::string& value);
// A word quoted for /bin/sh ('...' with ' written as '\'').
std::string shell_quote(const std::string& word);

}  // namespace pitr_restore
