#include "pitr-restore/wal_archive.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <mutex>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "kit/error.hpp"
#include "kit/secrets.hpp"
#include "kit/process.hpp"

namespace pitr_restore {
namespace fs = std::filesystem;

namespace {

std::string read_small(const std::string& path, size_t limit = 1 << 20) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  std::string s(limit, '\0');
  in.read(s.data(), static_cast<std::streamsize>(limit));
  s.resize(static_cast<size_t>(in.gcount()));
  return s;
}

bool is_hex24(const std::string& s) {
  if (s.size() != 24) return false;
  for (char c : s)
    if (!std::isxdigit(static_cast<unsigned char>(c)) || std::islower(static_cast<unsigned char>(c))) return false;
  return true;
}

// log_timezone as the backup's own configuration sets it (postgresql.auto.conf, read last, wins).
// Debian keeps postgresql.conf in /etc, outside the data directory: then "" (the local zone is tried).
std::string conf_log_timezone(const std::string& dir) {
  std::string zone;
  for (const char* file : {"/postgresql.conf", "/postgresql.auto.conf"}) {
    std::istringstream in(read_small(dir + file, 1 << 20));
    std::string line;
    while (std::getline(in, line)) {
      auto k = line.find_first_not_of(" \t");
      if (k == std::string::npos || line.compare(k, 12, "log_timezone") != 0) continue;
      auto q1 = line.find('\'', k), q2 = q1 == std::string::npos ? q1 : line.find('\'', q1 + 1);
      if (q2 == std::string::npos || line.find('#') < q1) continue;
      std::string v = line.substr(q1 + 1, q2 - q1 - 1);
      bool plain = !v.empty() && v.size() < 64 && v[0] != '/' && v.find("..") == std::string::npos &&
                   std::all_of(v.begin(), v.end(), [](unsigned char c) { return std::isalnum(c) || c == '/' || c == '_' || c == '-' || c == '+'; });
      if (plain) zone = v;
    }
  }
  return zone;
}

// A wall-clock time in an IANA zone (nullopt: the process's own zone) to UTC with the C library's
// tz database, accepted only when the zone's abbreviation at that instant is the one PostgreSQL
// wrote: "CET" read in Europe/Paris; CET/CEST also settle the hour that a DST change repeats.
// glibc reads a zone it has no file for ("CET", "EST" without tzdata) as UTC under that very
// abbreviation, so the abbreviation check below would pass with the wrong offset. Only a zone with
// a file in the tz database, or a POSIX rule that carries its own offset, is used.
bool zone_has_rules(const std::optional<std::string>& zone) {
  std::string name;
  if (zone) {
    name = *zone;
  } else {
    const char* tz = std::getenv("TZ");
    if (!tz) return ::access("/etc/localtime", R_OK) == 0;
    name = tz;
  }
  if (!name.empty() && name[0] == ':') name.erase(0, 1);
  if (name.empty()) return true;  // TZ="" is UTC
  if (name[0] == '/') return ::access(name.c_str(), R_OK) == 0;
  const char* dir = std::getenv("TZDIR");
  std::string path = std::string(dir && *dir ? dir : "/usr/share/zoneinfo") + "/" + name;
  if (name.find("..") == std::string::npos && ::access(path.c_str(), R_OK) == 0) return true;
  return std::any_of(name.begin(), name.end(), [](unsigned char c) { return std::isdigit(c); });  // "CET-1CEST,M3.5.0,M10.5.0/3"
}

std::optional<Micros> zoned_time(const std::tm& wall, const std::optional<std::string>& zone, const std::string& abbrev) {
  if (!zone_has_rules(zone)) return std::nullopt;
  static std::mutex mutex;
  std::lock_guard lock(mutex);
  const char* before = std::getenv("TZ");
  std::optional<std::string> saved = before ? std::optional<std::string>(before) : std::nullopt;
  if (zone) setenv("TZ", zone->c_str(), 1);
  tzset();
  std::optional<Micros> out;
  for (int dst : {-1, 0, 1}) {
    std::tm t = wall;
    t.tm_isdst = dst;
    std::time_t s = std::mktime(&t);
    std::tm back{};
    if (s != -1 && localtime_r(&s, &back) && back.tm_zone && abbrev == back.tm_zone && back.tm_hour == wall.tm_hour &&
        back.tm_min == wall.tm_min && back.tm_mday == wall.tm_mday) {
      out = static_cast<Micros>(s) * 1'000'000;
      break;
    }
  }
  if (zone) {
    if (saved) setenv("TZ", saved->c_str(), 1);
    else unsetenv("TZ");
  }
  tzset();
  return out;
}

// "2026-11-28 23:30:00 UTC" in backup_label and backup history files: PostgreSQL writes the
// server's log_timezone with strftime's %Z: an abbreviation ("UTC", "GMT" in Dakar, "CET") or,
// for zones without one, a numeric offset ("+03", "-0330"). UTC, GMT and offsets are read
// directly; an abbreviation through the backup's own log_timezone, else the local zone, when that
// zone really uses it at that time. Anything else: nullopt (the bound is unknown, and a time target
// is refused rather than failing in recovery).
std::optional<Micros> label_time(const std::string& text, const std::string& log_timezone) {
  auto space = text.rfind(' ');
  if (space == std::string::npos || space < 19) return std::nullopt;
  std::string when = text.substr(0, space), zone = text.substr(space + 1);
  auto read = [](const std::string& t) -> std::optional<Micros> {
    try {
      return parse_time(t, 0, "backup label time");
    } catch (const kit::Error&) {
      return std::nullopt;
    }
  };
  if (zone == "UTC" || zone == "GMT" || zone == "UT" || zone == "Z") return read(when + "Z");
  if (!zone.empty() && (zone[0] == '+' || zone[0] == '-')) return read(when + zone);
  if (zone.empty() || zone.size() > 10 || !std::all_of(zone.begin(), zone.end(), [](unsigned char c) { return std::isalpha(c); }))
    return std::nullopt;
  auto utc = read(when + "Z");  // checks the wall-clock part
  if (!utc) return std::nullopt;
  std::time_t secs = static_cast<std::time_t>(*utc / 1'000'000);
  std::tm wall{};
  gmtime_r(&secs, &wall);
  if (!log_timezone.empty())
    if (auto t = zoned_time(wall, log_timezone, zone)) return t;
  return zoned_time(wall, std::nullopt, zone);
}

// The End-LSN of every WAL range in a backup_manifest, read without keeping the file list (one
// entry per file: tens of MB on a large cluster) in memory. Not JSON or no ranges: none.
std::vector<std::string> manifest_end_lsns(const std::string& manifest) {
  std::vector<std::string> out;
  if (manifest.empty()) return out;
  std::string top_key;
  // Only the top-level "WAL-Ranges" member is kept; everything under other members is dropped
  // as soon as it is parsed.
  auto keep = [&](int depth, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
    if (event == nlohmann::json::parse_event_t::key && depth == 1) {
      top_key = parsed.is_string() ? parsed.get<std::string>() : "";
      return top_key == "WAL-Ranges";
    }
    return depth < 2 || top_key == "WAL-Ranges";
  };
  auto j = nlohmann::json::parse(manifest, keep, false);
  if (!j.is_object() || !j.contains("WAL-Ranges") || !j["WAL-Ranges"].is_array()) return out;
  for (const auto& range : j["WAL-Ranges"])
    if (range.is_object() && range.contains("End-LSN") && range["End-LSN"].is_string()) out.push_back(range["End-LSN"]);
  return out;
}

// A WAL location read from the backup itself; anything else means the backup is damaged (exit 3).
std::string damaged_unless_lsn(const std::string& text, const std::string& where) {
  try {
    return parse_lsn(text, where);
  } catch (const kit::Error&) {
    throw kit::environment_error("the base backup is damaged: " + where + " '" + kit::redacted_excerpt(text, 40) + "' is not a WAL location",
                                 "take a new base backup (pg_basebackup -Fp), or restore from another one");
  }
}

std::optional<std::string> label_value(const std::string& text, const std::string& key) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(key + ": ", 0) == 0) return line.substr(key.size() + 2);
  return std::nullopt;
}

}  // namespace

std::optional<Segment> parse_segment_name(const std::string& name, std::uint64_t segment_bytes) {
  if (!is_hex24(name)) return std::nullopt;
  std::uint64_t per_log = 0x100000000ull / segment_bytes;
  Segment s;
  s.timeline = static_cast<std::uint32_t>(std::stoul(name.substr(0, 8), nullptr, 16));
  std::uint64_t log = std::stoull(name.substr(8, 8), nullptr, 16);
  std::uint64_t seg = std::stoull(name.substr(16, 8), nullptr, 16);
  if (s.timeline == 0 || seg >= per_log) return std::nullopt;
  s.number = log * per_log + seg;
  s.name = name;
  return s;
}

std::string segment_name(std::uint32_t timeline, std::uint64_t number, std::uint64_t segment_bytes) {
  std::uint64_t per_log = 0x100000000ull / segment_bytes;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%08X%08X%08X", timeline, static_cast<unsigned>(number / per_log),
                static_cast<unsigned>(number % per_log));
  return buf;
}

BaseBackup read_base_backup(const std::string& dir) {
  BaseBackup b;
  b.dir = dir;
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw kit::usage_error("--base-backup: " + dir + " is not a directory");
  if (fs::exists(fs::path(dir) / "base.tar", ec) || fs::exists(fs::path(dir) / "base.tar.gz", ec))
    throw kit::usage_error("--base-backup: " + dir + " holds a tar-format backup; extract it (tar -xf base.tar -C DIR) or take it with pg_basebackup -Fp");
  std::string label = read_small(dir + "/backup_label");
  if (label.empty())
    throw kit::usage_error("--base-backup: " + dir + " has no backup_label: it is not a pg_basebackup -Fp backup");
  if (auto v = label_value(label, "START WAL LOCATION")) {
    std::istringstream w(*v);
    std::string lsn, word, file;
    w >> lsn >> word >> file;
    b.start_lsn = damaged_unless_lsn(lsn, dir + "/backup_label START WAL LOCATION");
    if (file.size() > 24) b.start_segment = file.substr(0, 24);
  }
  if (auto v = label_value(label, "START TIMELINE")) {
    auto digits = v->find_first_not_of("0123456789");
    if (v->empty() || digits != std::string::npos || v->size() > 9)
      throw kit::environment_error("--base-backup: " + dir + "/backup_label is damaged: its START TIMELINE is not a number",
                                   "take a new base backup (pg_basebackup -Fp), or restore from another one");
    b.timeline = static_cast<std::uint32_t>(std::stoul(*v));
  }
  b.log_timezone = conf_log_timezone(dir);
  if (auto v = label_value(label, "START TIME")) {
    b.start_time_text = *v;
    b.start_time = label_time(*v, b.log_timezone);
  }
  if (auto v = label_value(label, "LABEL")) b.label = *v;
  if (b.start_segment.empty())
    throw kit::environment_error("the base backup is damaged: " + dir + "/backup_label has no readable START WAL LOCATION",
                                 "take a new base backup (pg_basebackup -Fp), or restore from another one");
  // The backup's end: the largest End-LSN of the manifest's WAL ranges (PostgreSQL lists the
  // backup's own timeline first; a backup across a promotion has earlier ranges that end at the
  // switch). An unreadable manifest leaves it unknown (the archived history file may still tell).
  std::string manifest = read_small(dir + "/backup_manifest", 64 << 20);
  std::uint64_t end = 0;
  for (const auto& lsn : manifest_end_lsns(manifest)) {
    std::string valid = damaged_unless_lsn(lsn, dir + "/backup_manifest End-LSN");
    if (b.end_lsn.empty() || lsn_value(valid) > end) b.end_lsn = valid, end = lsn_value(valid);
  }
  b.pg_version = read_small(dir + "/PG_VERSION", 64);
  while (!b.pg_version.empty() && (b.pg_version.back() == '\n' || b.pg_version.back() == ' ')) b.pg_version.pop_back();
  return b;
}

Archive read_archive(const std::string& dir) {
  Archive a;
  a.dir = dir;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw kit::usage_error("--wal-archive: " + dir + " is not a directory");
  std::vector<std::pair<std::string, std::uintmax_t>> names;
  for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
    std::string n = it->path().filename().string();
    if (n.size() > 24 && n.rfind(".backup") == n.size() - 7 && is_hex24(n.substr(0, 24))) a.backup_histories.push_back(n);
    if (!is_hex24(n)) continue;
    std::error_code e2;
    names.push_back({n, it->file_size(e2)});
  }
  if (ec) throw kit::usage_error("--wal-archive: cannot read " + dir + ": " + ec.message());
  // All segments have the cluster's size (initdb --wal-segsize); read it from the first one.
  for (const auto& [n, size] : names)
    if (size >= (1u << 20) && (size & (size - 1)) == 0) {
      a.segment_bytes = size;
      break;
    }
  for (const auto& [n, size] : names) {
    auto s = parse_segment_name(n, a.segment_bytes);
    if (!s) continue;
    s->mtime = mtime_of(dir + "/" + n).value_or(0);
    a.segments.push_back(*s);
  }
  std::sort(a.segments.begin(), a.segments.end(),
            [](const Segment& x, const Segment& y) { return std::tie(x.timeline, x.number) < std::tie(y.timeline, y.number); });
  return a;
}

std::optional<std::string> first_gap(const Archive& archive, std::uint32_t timeline, const std::string& from_segment,
                                     const std::vector<std::string>& extra_names) {
  auto from = parse_segment_name(from_segment, archive.segment_bytes);
  if (!from) return std::nullopt;
  std::set<std::uint64_t> have;
  for (const auto& s : archive.segments)
    if (s.timeline == timeline) have.insert(s.number);
  for (const auto& n : extra_names)
    if (auto s = parse_segment_name(n, archive.segment_bytes); s && s->timeline == timeline) have.insert(s->number);
  if (have.empty() || *have.rbegin() < from->number) return segment_name(timeline, from->number, archive.segment_bytes);
  for (std::uint64_t n = from->number; n <= *have.rbegin(); ++n)
    if (!have.count(n)) return segment_name(timeline, n, archive.segment_bytes);
  return std::nullopt;
}

std::optional<Micros> mtime_of(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  return static_cast<Micros>(st.st_mtim.tv_sec) * 1'000'000 + st.st_mtim.tv_nsec / 1000;
}

std::string newest_segment(const Archive& archive, std::uint32_t timeline) {
  std::string newest;
  for (const auto& s : archive.segments)
    if (s.timeline == timeline && s.name > newest) newest = s.name;
  return newest;
}

BackupEnd backup_end(const BaseBackup& backup, const Archive& archive) {
  BackupEnd end;
  for (const auto& name : archive.backup_histories) {
    if (name.rfind(backup.start_segment + ".", 0) != 0) continue;
    std::string text = read_small(archive.dir + "/" + name, 64 << 10);
    auto start = label_value(text, "START WAL LOCATION");
    if (!start) continue;
    try {
      if (parse_lsn(start->substr(0, start->find(' ')), "START WAL LOCATION") != backup.start_lsn) continue;
    } catch (const kit::Error&) {
      continue;
    }
    end.file = name;
    if (auto lsn = label_value(text, "STOP WAL LOCATION")) {
      try {
        end.lsn = parse_lsn(lsn->substr(0, lsn->find(' ')), "STOP WAL LOCATION");
      } catch (const kit::Error&) {
      }
    }
    auto stop = label_value(text, "STOP TIME");
    if (stop) end.time = label_time(*stop, backup.log_timezone);
    if (!end.time)
      end.problem = "the STOP TIME in " + name + " is missing or in a zone this tool cannot read (log_timezone)";
    return end;
  }
  end.problem = "no backup history file " + backup.start_segment + ".*.backup in the archive";
  return end;
}

Window self_managed_window(const BaseBackup& backup, const BackupEnd& end, const Archive& archive, bool server_running,
                           std::optional<Micros> carried_latest, Micros now) {
  Window w;
  w.available = true;
  if (end.time) {
    // Recovery must replay past the backup's end before it may stop ("requested recovery stop
    // point is before consistent recovery point"); STOP TIME is cut to the second, so the first
    // target accepted for sure is the next whole second.
    w.earliest = *end.time + 1'000'000;
    w.earliest_source = "end of base backup " + backup.dir + " (STOP TIME in " + end.file + ", next whole second)";
  } else {
    w.earliest = backup.start_time;
    w.earliest_source = "base backup " + backup.dir + " (backup_label START TIME)";
    if (!backup.start_time) {
      w.earliest_unknown = backup.start_time_text.empty()
                               ? "its backup_label has no START TIME"
                               : "its times cannot be read (START TIME '" + kit::redacted_excerpt(backup.start_time_text, 40) +
                                     "' is in a zone that is not UTC, GMT, a numeric offset or an abbreviation of log_timezone "
                                     "or of this machine's zone in the tz database)";
      w.notes.push_back("the window's start is unknown: " + w.earliest_unknown + "; a --to target is refused");
    }
    w.notes.push_back("the base backup's end time is not known (" + end.problem +
                      "): a target before it fails in recovery, and the old data directory is kept");
  }
  // The WAL position where the backup became consistent: backup_manifest's End-LSN, else the
  // history file's STOP WAL LOCATION. Only then can a restore point be judged by its position.
  std::string consistent = !backup.end_lsn.empty() ? backup.end_lsn : end.lsn;
  if (!consistent.empty()) {
    w.earliest_lsn = lsn_value(consistent);
    w.earliest_lsn_is_backup_end = true;
  } else if (!backup.start_lsn.empty()) {
    w.earliest_lsn = lsn_value(backup.start_lsn);
  }
  Micros newest = 0;
  std::string newest_name;
  for (const auto& s : archive.segments)
    if (s.timeline == backup.timeline && s.mtime >= newest) {
      newest = s.mtime;
      newest_name = s.name;
    }
  if (server_running) {
    w.latest = now;
    w.latest_source = "the running server's own WAL, carried over after it stops";
  } else if (carried_latest && *carried_latest > newest) {
    w.latest = carried_latest;
    w.latest_source = "the stopped server's unarchived WAL (carried over)";
  } else if (newest > 0) {
    w.latest = newest;
    w.latest_source = "newest archived segment " + newest_name + " (archived at)";
  } else {
    w.latest = w.earliest;
    w.latest_source = "no archived WAL after the base backup";
  }
  return w;
}

std::optional<std::vector<NamedPoint>> scan_restore_points(const std::string& pg_bin, const std::string& dir, const std::string& first,
                                                           const std::string& last, std::string& problem) {
  kit::ProcessSpec spec;
  spec.argv = {pg_bin.empty() ? "pg_waldump" : pg_bin + "/pg_waldump", "--rmgr=XLOG", "--path=" + dir, first, last};
  spec.timeout = kit::Millis(600'000);
  auto r = kit::run_process(spec);
  if (!r.started || r.timed_out) {
    problem = r.started ? "pg_waldump did not finish within 10m" : "cannot run pg_waldump: " + r.error;
    return std::nullopt;
  }
  // pg_waldump exits 1 at the end of the available WAL ("invalid record length"): that is where it
  // stops, not a failure, as long as it read something or the range was empty.
  std::vector<NamedPoint> points;
  std::istringstream in(r.out);
  std::string line;
  const std::string key = "desc: RESTORE_POINT ";
  while (std::getline(in, line)) {
    auto at = line.find(key);
    if (at == std::string::npos) continue;
    NamedPoint point{line.substr(at + key.size()), std::nullopt, std::nullopt};
    // "... lsn: 0/03000148, prev 0/03000110, desc: RESTORE_POINT name"
    if (auto l = line.find("lsn: "); l != std::string::npos && l < at) {
      try {
        point.lsn = lsn_value(parse_lsn(line.substr(l + 5, line.find(',', l) - l - 5), "pg_waldump"));
      } catch (const kit::Error&) {
      }
    }
    points.push_back(std::move(point));
  }
  bool end_of_wal = r.err.find("error in WAL record") != std::string::npos ||
                    r.err.find("could not find a valid record") != std::string::npos;
  if (r.exit_code != 0 && !end_of_wal) {
    problem = "pg_waldump failed: " + kit::redacted_excerpt(r.err, 300);
    return std::nullopt;
  }
  return points;
}

std::vector<std::string> wal_segments_in(const std::string& pg_wal, std::uint32_t timeline) {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto it = fs::directory_iterator(pg_wal, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
    std::string n = it->path().filename().string();
    if (!is_hex24(n)) continue;
    if (std::stoul(n.substr(0, 8), nullptr, 16) == timeline) out.push_back(n);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace pitr_restore
