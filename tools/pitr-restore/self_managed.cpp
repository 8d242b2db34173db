#include "pitr-restore/self_managed.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "kit/error.hpp"
#include "kit/secrets.hpp"
#include "kit/log.hpp"
#include "kit/process.hpp"
#include "kit/text.hpp"
#include "kit/untrusted_json.hpp"
#include "pitr-restore/data_dir.hpp"
#include "pitr-restore/database.hpp"
#include "pitr-restore/heartbeat.hpp"
#include "pitr-restore/recovery_conf.hpp"
#include "pitr-restore/server.hpp"
#include "pitr-restore/wal_archive.hpp"

namespace pitr_restore {
namespace fs = std::filesystem;

namespace {

constexpr kit::Millis kProgressEvery{5'000};

std::string read_line(const std::string& path) {
  std::ifstream in(path);
  std::string s;
  std::getline(in, s);
  return s;
}

std::string trimmed_slash(std::string p) {
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  return p;
}

// pgbackrest info --output=json, as the repository's owner.
struct StanzaInfo {
  std::optional<Micros> earliest;  // the oldest backup's stop time (consistent from there)
  std::string archive_max;         // newest archived segment
  std::uint32_t timeline = 1;
  int backups = 0;
  std::string status;
};

std::vector<std::string> pgbackrest_argv(const Request& r, std::vector<std::string> tail) {
  std::vector<std::string> argv = {"pgbackrest"};
  if (!r.self.pgbackrest_config.empty()) argv.push_back("--config=" + r.self.pgbackrest_config);
  argv.push_back("--stanza=" + r.self.stanza);
  argv.insert(argv.end(), tail.begin(), tail.end());
  return argv;
}

Owner repository_owner(const Request& r) {
  if (!r.self.pgdata.empty() && fs::exists(r.self.pgdata)) return owner_of(r.self.pgdata);
  if (!r.self.pgbackrest_config.empty()) return owner_of(r.self.pgbackrest_config);
  return owner_of(".");
}

StanzaInfo stanza_info(const Request& r) {
  kit::ProcessSpec spec;
  spec.argv = as_owner(repository_owner(r), pgbackrest_argv(r, {"info", "--output=json"}));
  spec.timeout = kit::Millis(120'000);
  auto res = kit::run_process(spec);
  if (!res.started) throw kit::environment_error("cannot run pgbackrest: " + res.error, "install pgBackRest (Debian: apt-get install pgbackrest)");
  if (res.exit_code != 0)
    throw kit::environment_error("pgbackrest info failed (" + kit::how_it_ended(res) + "): " + kit::redacted_excerpt(res.err, 400),
                                 "check --stanza and --pgbackrest-config");
  auto j = kit::parse_untrusted_json(res.out);
  StanzaInfo info;
  if (!j.is_array() || j.empty() || !j[0].is_object())
    throw kit::environment_error("pgbackrest info printed no stanza", "check --stanza and --pgbackrest-config");
  const auto& st = j[0];
  if (st.contains("status") && st["status"].is_object()) info.status = kit::json_string(st["status"], "message");
  if (st.contains("backup") && st["backup"].is_array()) {
    for (const auto& b : st["backup"]) {
      if (!b.is_object() || !b.contains("timestamp")) continue;
      ++info.backups;
      // Seconds since the epoch; anything else (a float, a value whose microseconds overflow) is
      // not a usable backup time. pgBackRest truncates the real stop time (03:49:23.99 is printed
      // 03:49:23), and refuses a target before it ("unable to find backup set with stop time less
      // than ..."): the earliest target it accepts for sure is the next whole second.
      auto stop = kit::json_integer(b["timestamp"], "stop");
      Micros t = 0;
      if (!stop || *stop == INT64_MAX || __builtin_mul_overflow(static_cast<Micros>(*stop + 1), Micros{1'000'000}, &t))
        continue;
      if (!info.earliest || t < *info.earliest) info.earliest = t;
    }
  }
  if (st.contains("archive") && st["archive"].is_array())
    for (const auto& a : st["archive"])
      if (a.is_object() && a.contains("max") && a["max"].is_string()) info.archive_max = a["max"];
  if (info.archive_max.size() == 24 && info.archive_max.find_first_not_of("0123456789ABCDEF") == std::string::npos)
    info.timeline = static_cast<std::uint32_t>(std::stoul(info.archive_max.substr(0, 8), nullptr, 16));
  return info;
}

std::string put_back(const std::string& pgdata, const std::string& aside, const std::string& pg_bin) {
  std::string ctl = pg_bin.empty() ? "pg_ctl" : pg_bin + "/pg_ctl";
  return "the old data directory is intact at " + aside + "; to put it back (as its owner): " + ctl + " -D " + pgdata +
         " stop; mv " + pgdata + " " + pgdata + ".failed-restore; mv " + aside + " " + pgdata + "; " + ctl + " -D " + pgdata + " start";
}

// Appends `text` to `file` as the owner (tee -a), creating it if needed.
void append_as_owner(const Owner& owner, const std::string& file, const std::string& text) {
  kit::ProcessSpec spec;
  spec.argv = as_owner(owner, {"tee", "-a", "--", file});
  spec.stdin_data = text;
  spec.timeout = kit::Millis(30'000);
  auto r = kit::run_process(spec);
  if (!r.started || r.exit_code != 0)
    throw kit::partial_error("cannot write " + file + ": " + (r.started ? kit::redacted_excerpt(r.err, 300) : r.error));
}

void write_as_owner(const Owner& owner, const std::string& file, const std::string& text) {
  kit::ProcessSpec spec;
  spec.argv = as_owner(owner, {"tee", "--", file});
  spec.stdin_data = text;
  spec.timeout = kit::Millis(30'000);
  auto r = kit::run_process(spec);
  if (!r.started || r.exit_code != 0)
    throw kit::partial_error("cannot write " + file + ": " + (r.started ? kit::redacted_excerpt(r.err, 300) : r.error));
}

// The old pg_wal's segments on `timeline` that recovery may need beyond what is archived: newer
// than the newest archived one, or still waiting for the archiver (archive_status/<seg>.ready).
// An older segment already archived may be recycled at the next checkpoint (a stop is one), so it
// never counts as filling a gap in the archive.
std::vector<std::string> unarchived(const std::string& pg_wal, std::uint32_t timeline, const std::set<std::string>& archived,
                                    const std::string& archive_max) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& n : wal_segments_in(pg_wal, timeline))
    if (!archived.count(n) && (n > archive_max || fs::exists(pg_wal + "/archive_status/" + n + ".ready", ec))) out.push_back(n);
  return out;
}

std::optional<Micros> newest_write(const std::string& pg_wal, const std::vector<std::string>& names) {
  std::optional<Micros> newest;
  for (const auto& n : names)
    if (auto t = mtime_of(pg_wal + "/" + n); t && (!newest || *t > *newest)) newest = t;
  return newest;
}

void copy_segments(const Owner& owner, const std::string& from_dir, const std::vector<std::string>& names, const std::string& to_dir) {
  if (names.empty()) return;
  std::vector<std::string> argv = {"cp", "-p", "--"};
  for (const auto& n : names) argv.push_back(from_dir + "/" + n);
  argv.push_back(to_dir + "/");
  run_checked(as_owner(owner, argv), "copying unarchived WAL into " + to_dir, kit::Millis(3'600'000), static_cast<int>(kit::Exit::partial));
}

void verify_base_backup(const Request& r, const std::string& pg_bin, const Owner& owner) {
  std::error_code ec;
  if (!fs::exists(r.self.base_backup + "/backup_manifest", ec)) {
    kit::log::warn("the base backup has no backup_manifest: its files cannot be checked before the restore");
    return;
  }
  std::string tool = pg_bin.empty() ? "pg_verifybackup" : pg_bin + "/pg_verifybackup";
  kit::ProcessSpec spec;
  spec.argv = as_owner(owner, {tool, "-n", "-q", r.self.base_backup});
  spec.timeout = kit::Millis(3'600'000);
  auto res = kit::run_process(spec);
  if (!res.started) {
    kit::log::warn("pg_verifybackup is not available (" + res.error + "): the base backup is not checked before the restore");
    return;
  }
  if (res.exit_code != 0) {
    std::string err = kit::redacted_excerpt(res.err, 600);
    for (auto& c : err)
      if (c == '\n') c = ';';
    throw kit::environment_error("the base backup " + r.self.base_backup + " does not match its manifest: " + err +
                                     "; nothing was changed",
                                 "use an intact base backup (pg_verifybackup " + r.self.base_backup + " shows every problem)");
  }
}

// A libpq keyword value: quoted, with ' and \ escaped.
std::string conninfo_quote(const std::string& v) {
  std::string out = "'";
  for (char c : v) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

std::optional<Endpoint> wait_endpoint(const Request& r, const kit::Env& env) {
  if (r.database_url) return endpoint_from_url(r, env);
  return std::nullopt;
}

void verify(const Request& r, const std::optional<Endpoint>& endpoint, RestoreResult& result, Timeline& timeline) {
  if (!r.verify_sql) return;
  if (!endpoint)
    throw kit::partial_error("the database is restored but --verify-sql could not run: no way to connect",
                             "give --database-url, then run the query by hand");
  result.verify.ran = true;
  auto row = first_row(*endpoint, *r.verify_sql, r.connect_timeout);
  result.verify.passed = row.has_value();
  if (row) result.verify.row = *row;
  timeline.add(row ? "verify: --verify-sql returned a row (" + kit::redacted_excerpt(kit::join(*row, ", "), 200) + ")"
                   : "verify: --verify-sql returned NO row");
}

}  // namespace

Facts self_managed_facts(const Request& r, Micros now) {
  Facts f;
  const auto& s = r.self;
  bool have_pgdata = !s.pgdata.empty() && fs::exists(s.pgdata + "/PG_VERSION");
  f.server_running = have_pgdata && postmaster_running(s.pgdata);
  f.aside = s.pgdata.empty() ? "" : aside_path(s.pgdata, compact_stamp(now / 1'000'000));
  if (r.provider == Provider::postgres) {
    BaseBackup backup = read_base_backup(s.base_backup);
    Archive archive = read_archive(s.wal_archive);
    std::set<std::string> archived;
    for (const auto& seg : archive.segments) archived.insert(seg.name);
    std::vector<std::string> extra = wal_segments_in(s.base_backup + "/pg_wal", backup.timeline);
    if (have_pgdata) {
      f.unarchived_wal = unarchived(s.pgdata + "/pg_wal", backup.timeline, archived, newest_segment(archive, backup.timeline));
      extra.insert(extra.end(), f.unarchived_wal.begin(), f.unarchived_wal.end());
    }
    f.archive_gap = first_gap(archive, backup.timeline, backup.start_segment, extra);
    std::optional<Micros> carried = have_pgdata ? newest_write(s.pgdata + "/pg_wal", f.unarchived_wal) : std::nullopt;
    // The --lsn bounds: from the consistent point of the backup (self_managed_window) to the end of
    // the newest segment recovery can read (archive or the old pg_wal); a running server is still
    // writing: no end.
    f.window = self_managed_window(backup, backup_end(backup, archive), archive, f.server_running, carried, now);
    if (!f.server_running) {
      std::optional<std::uint64_t> last;
      for (const auto& seg : archive.segments)
        if (seg.timeline == backup.timeline && (!last || seg.number > *last)) last = seg.number;
      for (const auto& name : f.unarchived_wal)
        if (auto seg = parse_segment_name(name, archive.segment_bytes); seg && (!last || seg->number > *last)) last = seg->number;
      if (last) f.window.latest_lsn = (*last + 1) * archive.segment_bytes;
    }
    // A named target is looked up in the WAL itself (archive, then the unarchived tail), so an
    // unknown name is refused now rather than after the data directory was replaced.
    if (r.mode == Mode::window || r.target.kind == TargetKind::restore_point || r.target.kind == TargetKind::before_migration) {
      std::string pg_bin = s.pg_bin.empty() ? default_pg_bin(backup.pg_version) : s.pg_bin;
      std::string problem;
      std::string last = newest_segment(archive, backup.timeline);
      auto points = last.empty() ? std::optional<std::vector<NamedPoint>>(std::vector<NamedPoint>{})
                                 : scan_restore_points(pg_bin, s.wal_archive, backup.start_segment, last, problem);
      if (points && !f.unarchived_wal.empty()) {
        auto tail = scan_restore_points(pg_bin, s.pgdata + "/pg_wal", f.unarchived_wal.front(), f.unarchived_wal.back(), problem);
        if (tail) points->insert(points->end(), tail->begin(), tail->end());
        else points.reset();
      }
      if (points) {
        f.window.restore_points = *points;
        f.window.restore_points_listed = true;
      } else {
        f.window.notes.push_back("restore points could not be read from the WAL (" + problem + ")");
      }
    }
    if (!f.window.restore_points_listed)
      f.window.notes.push_back("the archive does not list restore points: a --restore-point that is not in it makes recovery fail, the old data directory is kept");
  } else {
    StanzaInfo info = stanza_info(r);
    f.window.available = info.backups > 0;
    if (!f.window.available) f.window.unavailable_reason = "stanza " + s.stanza + " has no backup (" + info.status + ")";
    f.window.earliest = info.earliest;
    f.window.earliest_source = "oldest pgBackRest backup's stop time";
    f.window.latest = f.server_running ? std::optional<Micros>(now) : std::nullopt;
    f.window.latest_source = f.server_running ? "the running server's own WAL, carried over after it stops"
                                              : "newest archived segment " + info.archive_max + " (its time is not recorded)";
    if (have_pgdata) f.unarchived_wal = unarchived(s.pgdata + "/pg_wal", info.timeline, {}, info.archive_max);
  }
  return f;
}

RestoreResult restore_self_managed(const Request& r, const Plan& plan, const Facts& facts, const kit::Env& env) {
  RestoreResult result;
  Timeline& tl = result.timeline;
  const auto& s = r.self;
  std::string pgdata = trimmed_slash(s.pgdata);
  std::error_code ec;
  if (!fs::exists(pgdata + "/PG_VERSION", ec))
    throw kit::usage_error("--pgdata: " + pgdata + " is not a PostgreSQL data directory (no PG_VERSION)");
  Owner owner = owner_of(pgdata);
  as_owner(owner, {"true"});  // refuses early when this user cannot act as the owner
  std::string version = read_line(pgdata + "/PG_VERSION");
  std::string pg_bin = s.pg_bin.empty() ? default_pg_bin(version) : s.pg_bin;
  if (r.provider == Provider::postgres) {
    std::string backup_version = read_line(s.base_backup + "/PG_VERSION");
    if (backup_version != version)
      throw kit::usage_error("--base-backup is PostgreSQL " + backup_version + " and --pgdata is PostgreSQL " + version);
    {
      Heartbeat beat("checking the base backup against its manifest", kProgressEvery);
      verify_base_backup(r, pg_bin, owner);
    }
    tl.add("base backup " + s.base_backup + " matches its manifest");
    unsigned long long need = tree_bytes(s.base_backup);
    unsigned long long have = free_bytes(fs::path(pgdata).parent_path().string());
    if (have < need)
      throw kit::environment_error("not enough space beside " + pgdata + ": the base backup needs " + format_bytes(need) + ", " +
                                       format_bytes(have) + " are free; nothing was changed",
                                   "free space on that file system (the old data directory is kept, not deleted), then run the restore again");
  }
  Server server{pgdata, pg_bin, owner, ""};
  bool running = postmaster_running(pgdata);
  if (running && !s.stop_server)
    throw kit::usage_error("the server on " + pgdata + " is running; add --stop to let pitr-restore stop it (nothing was changed)");
  if (running) {
    tl.add("stopping the server on " + pgdata);
    Heartbeat beat("waiting for the server to stop", kProgressEvery);
    stop_server(server, s.stop_timeout);
    tl.add("server stopped");
  }

  // Segments only the old pg_wal holds, read again now that the server has stopped writing.
  std::vector<std::string> carry;
  if (r.provider == Provider::postgres) {
    Archive archive = read_archive(s.wal_archive);
    std::set<std::string> archived;
    for (const auto& seg : archive.segments) archived.insert(seg.name);
    BaseBackup backup = read_base_backup(s.base_backup);
    carry = unarchived(pgdata + "/pg_wal", backup.timeline, archived, newest_segment(archive, backup.timeline));
    // The stop's checkpoint may have recycled a segment that seemed to fill a gap: look again.
    std::vector<std::string> extra = wal_segments_in(s.base_backup + "/pg_wal", backup.timeline);
    extra.insert(extra.end(), carry.begin(), carry.end());
    if (auto gap = first_gap(archive, backup.timeline, backup.start_segment, extra))
      throw kit::environment_error("the WAL archive has a gap: segment " + *gap + " is missing, so recovery would stop short of the target; "
                                   "nothing was changed" + std::string(running ? " except that the server was stopped" : ""),
                                   "put the missing segment in the archive, or pick a target before it" +
                                       std::string(running ? "; start the server again: pg_ctl -D " + pgdata + " start" : ""));
  } else {
    StanzaInfo info = stanza_info(r);
    carry = unarchived(pgdata + "/pg_wal", info.timeline, {}, info.archive_max);
  }

  std::string aside = plan.old_data_dir.empty() ? aside_path(pgdata, compact_stamp(now_micros() / 1'000'000)) : plan.old_data_dir;
  if (fs::exists(aside, ec)) throw kit::environment_error(aside + " already exists; nothing was changed", "move it away, then run the restore again");
  if (::rename(pgdata.c_str(), aside.c_str()) != 0)
    throw kit::environment_error("cannot move " + pgdata + " aside to " + aside + ": " + std::strerror(errno) + "; nothing was changed",
                                 "check the permissions of the directory that holds it");
  result.old_data_dir = aside;
  tl.add("moved the data directory aside: " + pgdata + " -> " + aside);
  const std::string hint = put_back(pgdata, aside, pg_bin);
  server.log_file = aside + ".recovery.log";

  try {
    if (r.provider == Provider::postgres) {
      unsigned long long total = tree_bytes(s.base_backup);
      {
        Heartbeat beat("copying the base backup", kProgressEvery,
                       [&] { return format_bytes(tree_bytes(pgdata)) + " of " + format_bytes(total); });
        copy_as_owner(owner, s.base_backup, pgdata);
      }
      tl.add("copied the base backup (" + format_bytes(total) + ") into " + pgdata);
      copy_segments(owner, aside + "/pg_wal", carry, pgdata + "/pg_wal");
      if (!carry.empty()) tl.add("carried over " + std::to_string(carry.size()) + " unarchived WAL segments from the old pg_wal");
      fs::remove(pgdata + "/standby.signal", ec);
      RecoverySettings settings;
      settings.restore_command = restore_command_for(s.wal_archive);
      settings.target = plan.target;
      append_as_owner(owner, pgdata + "/postgresql.auto.conf", render_recovery_settings(settings));
      write_as_owner(owner, pgdata + "/recovery.signal", "");
      tl.add("wrote the recovery settings: " + plan.target.describe());
    } else {
      if (::mkdir(pgdata.c_str(), 0700) != 0) throw kit::partial_error("cannot create " + pgdata + ": " + std::strerror(errno));
      if (::geteuid() == 0 && ::chown(pgdata.c_str(), owner.uid, owner.gid) != 0)
        throw kit::partial_error("cannot give " + pgdata + " to its owner: " + std::strerror(errno));
      std::vector<std::string> args = {"--pg1-path=" + pgdata, "--target-action=promote", "--target-timeline=current"};
      const auto& t = plan.target;
      if (t.kind == TargetKind::time) {
        args.push_back("--type=time");
        args.push_back("--target=" + format_pg_time(*t.time));
        if (!t.inclusive) args.push_back("--target-exclusive");
      } else if (t.kind == TargetKind::lsn) {
        args.push_back("--type=lsn");
        args.push_back("--target=" + t.lsn);
      } else {
        args.push_back("--type=name");
        args.push_back("--target=" + t.name);
      }
      args.push_back("restore");
      {
        Heartbeat beat("pgbackrest restore", kProgressEvery, [&] { return format_bytes(tree_bytes(pgdata)) + " restored"; });
        run_checked(as_owner(owner, pgbackrest_argv(r, args)), "pgbackrest restore", r.timeout, static_cast<int>(kit::Exit::partial));
      }
      tl.add("pgbackrest restored the backup into " + pgdata + " (recovery settings: " + plan.target.describe() + ")");
      copy_segments(owner, aside + "/pg_wal", carry, pgdata + "/pg_wal");
      if (!carry.empty()) tl.add("carried over " + std::to_string(carry.size()) + " unarchived WAL segments from the old pg_wal");
    }

    start_server(server);
    tl.add("server started; replaying WAL (server log: " + server.log_file + ")");
    auto endpoint = wait_endpoint(r, env);
    Promotion p = wait_for_promotion(server, endpoint, r.timeout, kProgressEvery, tl);
    if (!p.promoted) throw kit::partial_error(p.failure, hint);
    result.replay_lsn = p.replay_lsn;
    result.restored_at = now_micros();
    if (!endpoint) endpoint = socket_endpoint(pgdata, owner.name.empty() ? "postgres" : owner.name, "postgres");
    verify(r, endpoint, result, tl);
  } catch (const kit::Error& e) {
    if (e.code() == kit::Exit::partial) throw;
    throw kit::partial_error(std::string(e.what()), hint);
  } catch (const std::exception& e) {
    throw kit::partial_error(std::string("restore failed: ") + e.what(), hint);
  }
  return result;
}

RestoreResult rehearse_self_managed(const Request& r, const Plan& plan, const kit::Env& env) {
  RestoreResult result;
  Timeline& tl = result.timeline;
  const auto& s = r.self;
  std::error_code ec;
  std::string source = r.provider == Provider::postgres ? s.base_backup : (s.pgdata.empty() ? s.pgbackrest_config : s.pgdata);
  Owner owner = r.provider == Provider::postgres ? owner_of(s.base_backup) : repository_owner(r);
  as_owner(owner, {"true"});
  std::string version = r.provider == Provider::postgres ? read_line(s.base_backup + "/PG_VERSION")
                                                         : (s.pgdata.empty() ? "" : read_line(s.pgdata + "/PG_VERSION"));
  std::string pg_bin = s.pg_bin.empty() ? default_pg_bin(version.empty() ? "15" : version) : s.pg_bin;
  if (r.provider == Provider::postgres) {
    Heartbeat beat("checking the base backup against its manifest", kProgressEvery);
    verify_base_backup(r, pg_bin, owner);
  }
  if (r.provider == Provider::postgres) tl.add("base backup " + s.base_backup + " matches its manifest");

  std::string parent = r.rehearsal.scratch_dir;
  if (parent.empty()) parent = fs::path(trimmed_slash(s.pgdata.empty() ? s.base_backup : s.pgdata)).parent_path().string();
  std::string scratch = trimmed_slash(parent) + "/pitr-rehearsal-" + compact_stamp(now_micros() / 1'000'000);
  if (::mkdir(scratch.c_str(), 0700) != 0)
    throw kit::environment_error("cannot create the scratch directory " + scratch + ": " + std::strerror(errno),
                                 "pass --scratch-dir on a file system with room for the base backup");
  if (::geteuid() == 0 && ::chown(scratch.c_str(), owner.uid, owner.gid) != 0)
    throw kit::environment_error("cannot give " + scratch + " to " + owner.name + ": " + std::strerror(errno));
  result.scratch_dir = scratch;
  std::string data = scratch + "/data", sock = scratch + "/sock";
  Server server{data, pg_bin, owner, scratch + "/server.log"};
  bool started = false;
  // A failed rehearsal's server log is what says why: it outlives the scratch directory, beside it.
  const std::string kept_log = scratch + ".server.log";
  auto cleanup = [&](bool failed) {
    if (started) stop_quietly(server);
    if (r.rehearsal.keep) return;
    if (failed) fs::copy_file(server.log_file, kept_log, fs::copy_options::overwrite_existing, ec);
    fs::remove_all(scratch, ec);
  };
  try {
    run_checked(as_owner(owner, {"mkdir", "-m", "700", sock}), "creating " + sock, kit::Millis(30'000), 3);
    // Without --port the scratch server listens on no TCP port at all: only its private socket,
    // whose name carries the port number, so any number is free. With --port it listens on 127.0.0.1.
    int port = r.rehearsal.port ? r.rehearsal.port : 5433;
    result.port = port;
    RecoverySettings settings;
    settings.target = plan.target;
    // The scratch cluster never archives: its new timeline must not land in production's archive.
    settings.extra = {{"port", std::to_string(port)},         {"listen_addresses", r.rehearsal.port ? "127.0.0.1" : ""},
                      {"unix_socket_directories", sock},      {"archive_mode", "off"},
                      {"logging_collector", "off"},           {"hot_standby", "on"}};
    if (r.provider == Provider::postgres) {
      {
        Heartbeat beat("copying the base backup into the scratch directory", kProgressEvery,
                       [&] { return format_bytes(tree_bytes(data)) + " copied"; });
        copy_as_owner(owner, s.base_backup, data);
      }
      tl.add("copied the base backup into " + data);
      // Production's own unarchived WAL is read (never written) as a last resort.
      std::vector<std::string> fallback;
      if (!s.pgdata.empty() && fs::exists(s.pgdata + "/pg_wal", ec)) fallback.push_back(s.pgdata + "/pg_wal");
      settings.restore_command = restore_command_for(s.wal_archive, fallback);
      fs::remove(data + "/standby.signal", ec);
      append_as_owner(owner, data + "/postgresql.auto.conf", render_recovery_settings(settings));
      write_as_owner(owner, data + "/recovery.signal", "");
    } else {
      std::vector<std::string> args = {"--pg1-path=" + data, "--archive-mode=off", "--target-action=promote", "--target-timeline=current"};
      const auto& t = plan.target;
      if (t.kind == TargetKind::time) {
        args.insert(args.end(), {"--type=time", "--target=" + format_pg_time(*t.time)});
        if (!t.inclusive) args.push_back("--target-exclusive");
      } else if (t.kind == TargetKind::lsn) {
        args.insert(args.end(), {"--type=lsn", "--target=" + t.lsn});
      } else {
        args.insert(args.end(), {"--type=name", "--target=" + t.name});
      }
      args.push_back("restore");
      run_checked(as_owner(owner, {"mkdir", "-m", "700", data}), "creating " + data, kit::Millis(30'000), 3);
      {
        Heartbeat beat("pgbackrest restore into the scratch directory", kProgressEvery,
                       [&] { return format_bytes(tree_bytes(data)) + " restored"; });
        run_checked(as_owner(owner, pgbackrest_argv(r, args)), "pgbackrest restore", r.timeout, 3);
      }
      tl.add("pgbackrest restored the backup into " + data);
      std::string extra = "\n# written by pitr-restore rehearse\n";
      for (const auto& [k, v] : settings.extra) extra += k + " = " + conf_quote(v) + "\n";
      append_as_owner(owner, data + "/postgresql.auto.conf", extra);
    }
    // Only the rehearsal's own private socket, with trust: nobody else can reach it.
    write_as_owner(owner, data + "/pg_hba.conf", "local all all trust\n");
    start_server(server);
    started = true;
    tl.add("scratch server started on port " + std::to_string(port) + " (socket in " + sock + "); replaying WAL");
    std::string user = owner.name.empty() ? "postgres" : owner.name;
    Endpoint ep{"host=" + conninfo_quote(sock) + " port=" + std::to_string(port) + " user=" + conninfo_quote(user) + " dbname=postgres", "scratch server", "postgres"};
    Promotion p = wait_for_promotion(server, ep, r.timeout, kProgressEvery, tl);
    if (!p.promoted) throw kit::environment_error("rehearsal failed: " + p.failure, "production was not touched; the scratch server log is " +
                                                                                         (r.rehearsal.keep ? server.log_file : kept_log));
    result.replay_lsn = p.replay_lsn;
    result.restored_at = now_micros();
    if (r.verify_sql) {
      std::string db = r.verify_database;
      if (db.empty() && r.database_url) db = endpoint_from_url(r, env).dbname;
      if (db.empty()) db = "postgres";
      Endpoint vep{"host=" + conninfo_quote(sock) + " port=" + std::to_string(port) + " user=" + conninfo_quote(user) + " dbname=" + conninfo_quote(db), "scratch server", db};
      verify(r, vep, result, tl);
    }
  } catch (...) {
    cleanup(true);
    throw;
  }
  if (r.rehearsal.keep) {
    result.kept = true;
    tl.add("the scratch server keeps running for inspection: psql -h " + sock + " -p " + std::to_string(result.port) +
           "; stop it with pg_ctl -D " + data + " stop");
  } else {
    cleanup(false);
    tl.add("scratch server stopped and " + scratch + " removed");
  }
  return result;
}

}  // namespace pitr_restore
