#include "pitr-restore/recovery_conf.hpp"

namespace pitr_restore {

std::string conf_quote(const std::string& value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'') out += "''";
    else if (c == '\\') out += "\\\\";
    else out += c;
  }
  return out + "'";
}

std::string shell_quote(const std::string& word) {
  std::string out = "'";
  for (char c : word) {
    if (c == '\'') out += "'\\''";
    else out += c;
  }
  return out + "'";
}

std::string restore_command_for(const std::string& archive_dir, const std::vector<std::string>& fallback_dirs) {
  // %f and %p are PostgreSQL's placeholders (file name, destination path); they stay outside the
  // quoted directory so the server substitutes them. A '%' in a path is written as '%%'.
  auto dir = [](const std::string& d) {
    std::string escaped;
    for (char c : d) escaped += c == '%' ? std::string("%%") : std::string(1, c);
    return shell_quote(escaped + "/");
  };
  std::string cmd = "cp " + dir(archive_dir) + "%f \"%p\"";
  for (const auto& f : fallback_dirs) cmd += " || cp " + dir(f) + "%f \"%p\"";
  return cmd;
}

std::string render_recovery_settings(const RecoverySettings& s) {
  std::string out = "\n# written by pitr-restore: recovery to " + s.target.describe() + "\n";
  auto line = [&](const std::string& k, const std::string& v) { out += k + " = " + conf_quote(v) + "\n"; };
  line("restore_command", s.restore_command);
  switch (s.target.kind) {
    case TargetKind::time:
      line("recovery_target_time", format_pg_time(*s.target.time));
      line("recovery_target_inclusive", s.target.inclusive ? "on" : "off");
      break;
    case TargetKind::restore_point:
      line("recovery_target_name", s.target.name);
      break;
    case TargetKind::lsn:
      line("recovery_target_lsn", s.target.lsn);
      line("recovery_target_inclusive", s.target.inclusive ? "on" : "off");
      break;
    case TargetKind::before_migration:
      break;  // resolved into one of the above before settings are written
  }
  line("recovery_target_action", "promote");
  line("recovery_target_timeline", s.timeline);
  for (const auto& [k, v] : s.extra) line(k, v);
  return out;
}

}  // namespace pitr_restore
