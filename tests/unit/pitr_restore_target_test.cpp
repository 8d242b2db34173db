// pitr-restore's pure parts: targets, window checks, the plan, recovery settings, WAL names.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>

#include "kit/error.hpp"
#include "pitr-restore/plan.hpp"
#include "pitr-restore/recovery_conf.hpp"
#include "pitr-restore/target.hpp"
#include "pitr-restore/wal_archive.hpp"
#include "pitr-restore/window.hpp"
#include "supabase/management_api.hpp"

using namespace pitr_restore;

namespace {
constexpr Micros kNow = 1795863000LL * 1'000'000;  // 2026-11-28T10:50:00Z

kit::Exit exit_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const kit::Error& e) {
    return e.code();
  }
  return kit::Exit::ok;
}
}  // namespace

TEST_CASE("times: RFC 3339 with a zone, or a duration ago") {
  CHECK(parse_time("2026-11-28T10:50:00Z", kNow) == kNow);
  CHECK(parse_time("2026-11-28 11:50:00+01:00", kNow) == kNow);
  CHECK(parse_time("2026-11-28T05:20:00-0530", kNow) == kNow);
  CHECK(parse_time("2026-11-28T10:50:00.25Z", kNow) == kNow + 250'000);
  CHECK(parse_time("2026-11-28T10:50:00.1234567Z", kNow) == kNow + 123'456);
  CHECK(parse_time("15m ago", kNow) == kNow - 15 * 60 * 1'000'000LL);
  CHECK(parse_time("1h30m ago", kNow) == kNow - 90 * 60 * 1'000'000LL);
  // Windows reach weeks back: days, and up to a year; past that the message says why.
  CHECK(parse_time("200h ago", kNow) == kNow - 200 * 3600 * 1'000'000LL);
  CHECK(parse_time("3d ago", kNow) == kNow - 3 * 86400 * 1'000'000LL);
  try {
    parse_time("400d ago", kNow, "--to");
    FAIL("400d ago was accepted");
  } catch (const kit::Error& e) {
    CHECK(std::string(e.what()).find("longer than 366 days") != std::string::npos);
  }
  CHECK(format_time(kNow) == "2026-11-28T10:50:00Z");
  CHECK(format_time(kNow + 5) == "2026-11-28T10:50:00.000005Z");
  CHECK(format_pg_time(kNow + 123'456) == "2026-11-28 10:50:00.123456+00");
  CHECK(format_time(0) == "1970-01-01T00:00:00Z");
  for (const char* bad : {"", "tomorrow", "2026-11-28T10:50:00", "2026-11-28", "2026-02-30T00:00:00Z", "2026-11-28T25:00:00Z",
                          "2026-11-28T10:50:00Zjunk", "2026-11-28T10:50:00+25:00", "15 ago", "ago", "2026-11-28T10:50:00.Z",
                          "\xff\xfe", "-5m ago"}) {
    CAPTURE(bad);
    CHECK(exit_of([&] { parse_time(bad, kNow); }) == kit::Exit::usage);
  }
}

TEST_CASE("LSNs and restore point names") {
  CHECK(parse_lsn("0/3000028") == "0/3000028");
  CHECK(parse_lsn("00000000/03000a28") == "0/3000A28");
  CHECK(lsn_value("1/0") == (1ull << 32));
  for (const char* bad : {"", "0", "0/", "/1", "g/1", "0/123456789", "0/1/2"}) {
    CAPTURE(bad);
    CHECK(exit_of([&] { parse_lsn(bad); }) == kit::Exit::usage);
  }
  CHECK(check_restore_point_name("before-release") == "before-release");
  CHECK(exit_of([] { check_restore_point_name(std::string(64, 'a')); }) == kit::Exit::usage);
  CHECK(exit_of([] { check_restore_point_name("it's"); }) == kit::Exit::usage);
  CHECK(exit_of([] { check_restore_point_name("a\nb"); }) == kit::Exit::usage);
}

TEST_CASE("exactly one target") {
  CHECK(exit_of([] { parse_target({}, {}, {}, {}, kNow); }) == kit::Exit::usage);
  CHECK(exit_of([] { parse_target(std::string("5m ago"), {}, std::string("0/1"), {}, kNow); }) == kit::Exit::usage);
  CHECK(exit_of([] { parse_target({}, {}, {}, std::string("../etc"), kNow); }) == kit::Exit::usage);
  auto t = parse_target({}, {}, {}, std::string("20261128_drop"), kNow);
  CHECK(t.kind == TargetKind::before_migration);
  CHECK(t.name == "20261128_drop");
}

namespace {
// Recoverable from an hour ago to a minute ago.
Window last_hour_window() {
  Window w;
  w.available = true;
  w.earliest = kNow - 3600'000'000LL;
  w.latest = kNow - 60'000'000LL;
  return w;
}
}  // namespace

TEST_CASE("a target is checked against the window, which the message names") {
  Window w = last_hour_window();
  RecoveryTarget t;
  t.time = kNow - 600'000'000LL;
  CHECK(refusal(t, w, kNow).empty());
  t.time = kNow + 1;
  CHECK(refusal(t, w, kNow).find("in the future") != std::string::npos);
  t.time = kNow - 7200'000'000LL;
  auto m = refusal(t, w, kNow);
  CHECK(m.find("before the earliest base backup") != std::string::npos);
  CHECK(m.find("2026-11-28T09:50:00Z .. 2026-11-28T10:49:00Z") != std::string::npos);
  t.time = kNow - 30'000'000LL;
  CHECK(refusal(t, w, kNow).find("after the latest") != std::string::npos);
  RecoveryTarget named;
  named.kind = TargetKind::restore_point;
  named.name = "before-release";
  CHECK(refusal(named, w, kNow).empty());  // an archive that was not scanned cannot refuse a name
  w.restore_points_listed = true;
  CHECK(refusal(named, w, kNow).find("not known") != std::string::npos);
  w.restore_points = {{"before-release", std::nullopt}};
  CHECK(refusal(named, w, kNow).empty());
  w.available = false;
  w.unavailable_reason = "not enabled";
  CHECK(refusal(t, w, kNow).find("not available") != std::string::npos);
}

TEST_CASE("an --lsn target is checked against the WAL the window spans, which the message names") {
  Window w = last_hour_window();
  RecoveryTarget t;
  t.kind = TargetKind::lsn;
  t.lsn = "0/3000028";
  CHECK(refusal(t, w, kNow).empty());  // bounds unknown (pgBackRest): not checked
  w.earliest_lsn = lsn_value("0/2000100");
  w.latest_lsn = lsn_value("0/5000000");
  CHECK(refusal(t, w, kNow).empty());
  t.lsn = "0/1FFFFFF";
  auto m = refusal(t, w, kNow);
  CHECK(m.find("before the base backup's consistent point") != std::string::npos);
  CHECK(m.find("0/2000100 .. 0/5000000") != std::string::npos);
  CHECK(m.find("2026-11-28T09:50:00Z .. 2026-11-28T10:49:00Z") != std::string::npos);
  t.lsn = "1/0";
  CHECK(refusal(t, w, kNow).find("beyond the end of the WAL available") != std::string::npos);
  w.latest_lsn.reset();  // a running server: no end
  CHECK(refusal(t, w, kNow).empty());
  CHECK(format_lsn(lsn_value("16/B374D848")) == "16/B374D848");
}

TEST_CASE("a restore point in the WAL is judged by its position, not its whole-second time") {
  Window w = last_hour_window();
  w.earliest_lsn = lsn_value("0/2000100");  // the base backup's end
  w.earliest_lsn_is_backup_end = true;
  w.restore_points_listed = true;
  RecoveryTarget named;
  named.kind = TargetKind::restore_point;
  named.name = "migrate-guard-x";
  // Created in the second the backup ended: its time is before the window's rounded-up start,
  // yet recovery reaches it (it is after the backup's end in the WAL).
  named.time = *w.earliest - 500'000;
  w.restore_points = {{"migrate-guard-x", named.time, lsn_value("0/2000200")}};
  CHECK(refusal(named, w, kNow).empty());
  // Created while the backup ran: recovery would fail before the backup is consistent.
  w.restore_points = {{"migrate-guard-x", named.time, lsn_value("0/2000000")}};
  auto m = refusal(named, w, kNow);
  CHECK(m.find("before the base backup's consistent point 0/2000100") != std::string::npos);
  CHECK(m.find("0/2000000") != std::string::npos);
  // Without a position (pgBackRest, Supabase) the time decides, as for --to.
  w.restore_points = {{"migrate-guard-x", named.time, std::nullopt}};
  CHECK(refusal(named, w, kNow).find("before the earliest base backup") != std::string::npos);
  // Nor when only the backup's start is known (no manifest, no history file): a point after the
  // start may still be inside the backup.
  w.restore_points = {{"migrate-guard-x", named.time, lsn_value("0/2000200")}};
  w.earliest_lsn_is_backup_end = false;
  CHECK(refusal(named, w, kNow).find("before the earliest base backup") != std::string::npos);
}

TEST_CASE("the plan: before-migration from the restore point, else started_at; what is lost") {
  Request r;
  r.provider = Provider::supabase;
  r.supabase.project_ref = "abcdefghijklmnopqrst";
  r.target = parse_target({}, {}, {}, std::string("20261128100000_drop"), kNow);
  Facts f;
  f.window.available = true;
  f.window.earliest = kNow - 86400'000'000LL;
  f.window.latest = kNow - 60'000'000LL;
  Micros started = parse_time("2026-11-28T10:00:01.5Z", kNow);
  f.ledger = std::vector<AppliedMigration>{{"20261101000000_init", kNow - 86000'000'000LL, true, false},
                                           {"20261128100000_drop", started, true, false},
                                           {"20261128100100_after", started + 1'000'000, true, false}};
  Plan p = build_plan(r, f, kNow);
  CHECK(p.ok());
  CHECK(p.target.kind == TargetKind::time);
  // Supabase takes whole seconds: the plan holds the second the API will be asked for, rounded down.
  CHECK(p.target.time == started - 500'000);
  CHECK(p.target.source.find("started_at") != std::string::npos);
  CHECK(p.migrations_lost == std::vector<std::string>{"20261128100000_drop", "20261128100100_after"});
  CHECK(p.confirm_id == "abcdefghijklmnopqrst");
  CHECK(p.steps.front().detail.find("recovery_time_target_unix 1795860001") != std::string::npos);

  // migrate-guard's restore point (63 bytes at most) wins when the provider lists it.
  f.window.restore_points = {{"migrate-guard-20261128T100001Z-20261128100000_drop", std::nullopt},
                             {"migrate-guard-20261128T100500Z-20261128100000_drop", std::nullopt},  // after it started: not this one
                             {"migrate-guard-20261128T090000Z-20261128100000_dropped", std::nullopt}};
  p = build_plan(r, f, kNow);
  CHECK(p.target.kind == TargetKind::restore_point);
  CHECK(p.target.name == "migrate-guard-20261128T100001Z-20261128100000_drop");

  // Self-managed recovery takes the exact instant and stops before it.
  Request self = r;
  self.provider = Provider::postgres;
  f.window.restore_points.clear();
  p = build_plan(self, f, kNow);
  CHECK(p.target.time == started);
  CHECK_FALSE(p.target.inclusive);
  f.window.restore_points = {{"migrate-guard-20261128T100001Z-20261128100000_drop", std::nullopt}};

  r.target = parse_target({}, {}, {}, std::string("20991231_unknown"), kNow);
  CHECK(exit_of([&] { build_plan(r, f, kNow); }) == kit::Exit::usage);
  f.ledger.reset();
  f.ledger_problem = "no --database-url";
  CHECK(exit_of([&] { build_plan(r, f, kNow); }) == kit::Exit::environment);
}

TEST_CASE("self-managed plan: restore stops and moves aside; rehearse does neither; a gap refuses") {
  Request r;
  r.provider = Provider::postgres;
  r.mode = Mode::restore;
  r.self = {.pgdata = "/var/lib/pg/main", .base_backup = "/b", .wal_archive = "/a"};
  r.target = parse_target(std::string("10m ago"), {}, {}, {}, kNow);
  Facts f;
  f.window.available = true;
  f.server_running = true;
  f.aside = "/var/lib/pg/main.pitr-restore-x";
  Plan p = build_plan(r, f, kNow);
  CHECK(p.steps.at(0).action == "stop the server");
  CHECK(p.steps.at(1).detail.find("/var/lib/pg/main.pitr-restore-x") != std::string::npos);
  CHECK(p.confirm_id == "/var/lib/pg/main");
  r.mode = Mode::rehearse;
  p = build_plan(r, f, kNow);
  for (const auto& s : p.steps) CHECK(s.action.find("stop the server") == std::string::npos);
  CHECK(p.confirm_id.empty());
  f.archive_gap = "000000010000000000000005";
  p = build_plan(r, f, kNow);
  CHECK(p.refused == Refusal::archive_gap);
  CHECK(p.refusal.find("000000010000000000000005") != std::string::npos);
}

TEST_CASE("recovery settings PostgreSQL reads") {
  RecoverySettings s;
  s.restore_command = restore_command_for("/srv/wal it's", {"/data/pg_wal"});
  CHECK(s.restore_command == "cp '/srv/wal it'\\''s/'%f \"%p\" || cp '/data/pg_wal/'%f \"%p\"");
  s.target.kind = TargetKind::time;
  s.target.time = kNow;
  s.target.inclusive = false;
  std::string text = render_recovery_settings(s);
  CHECK(text.find("recovery_target_time = '2026-11-28 10:50:00+00'\n") != std::string::npos);
  CHECK(text.find("recovery_target_inclusive = 'off'\n") != std::string::npos);
  CHECK(text.find("recovery_target_action = 'promote'\n") != std::string::npos);
  CHECK(text.find("recovery_target_timeline = 'current'\n") != std::string::npos);
  CHECK(text.find("restore_command = 'cp ''/srv/wal it''\\\\''''s/''%f") != std::string::npos);
  CHECK(restore_command_for("/a%b") == "cp '/a%%b/'%f \"%p\"");
  s.target.kind = TargetKind::restore_point;
  s.target.name = "before";
  text = render_recovery_settings(s);
  CHECK(text.find("recovery_target_name = 'before'") != std::string::npos);
  CHECK(text.find("recovery_target_time =") == std::string::npos);
}

TEST_CASE("WAL segment names and gaps") {
  auto s = parse_segment_name("000000010000000300000004");
  REQUIRE(s);
  CHECK(s->timeline == 1);
  CHECK(s->number == 3 * 256 + 4);
  CHECK(segment_name(1, 3 * 256 + 4) == "000000010000000300000004");
  CHECK(segment_name(2, 255) == "0000000200000000000000FF");
  CHECK_FALSE(parse_segment_name("000000010000000300000004.partial"));
  CHECK_FALSE(parse_segment_name("00000001000000030000000g"));
  CHECK_FALSE(parse_segment_name("000000010000000000000100"));  // seg >= 256 for 16 MB segments
  Archive a;
  for (int n : {2, 3, 5, 6}) a.segments.push_back(*parse_segment_name(segment_name(1, n)));
  CHECK(first_gap(a, 1, segment_name(1, 2), {}) == segment_name(1, 4));
  CHECK(first_gap(a, 1, segment_name(1, 2), {segment_name(1, 4)}) == std::nullopt);
  CHECK(first_gap(a, 1, segment_name(1, 5), {}) == std::nullopt);
  CHECK(first_gap(a, 2, segment_name(2, 2), {}) == segment_name(2, 2));
}

TEST_CASE("a base backup's label and manifest: the end is the WAL ranges' largest End-LSN; a damaged label is exit 3") {
  auto dir = std::filesystem::temp_directory_path() / "pitr-read-base-backup-test";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  auto write = [&](const char* name, const std::string& text) { std::ofstream(dir / name) << text; };
  write("backup_label",
        "START WAL LOCATION: 0/2000028 (file 000000020000000000000002)\n"
        "CHECKPOINT LOCATION: 0/2000060\nBACKUP METHOD: streamed\nBACKUP FROM: primary\n"
        "START TIME: 2026-11-28 10:00:00 UTC\nLABEL: nightly\nSTART TIMELINE: 2\n");
  // The file list may carry the same key names; only WAL-Ranges tells the end. PostgreSQL lists
  // the backup's own timeline first; an earlier one (a promotion during the backup) ends sooner.
  write("backup_manifest", R"({"PostgreSQL-Backup-Manifest-Version": 1,
    "Files": [{"Path": "End-LSN", "Size": 1, "End-LSN": "F/FFFFFFFF"}],
    "WAL-Ranges": [{"Timeline": 2, "Start-LSN": "0/2000028", "End-LSN": "0/2000138"},
                   {"Timeline": 1, "Start-LSN": "0/1000028", "End-LSN": "0/1000100"}]})");
  write("PG_VERSION", "15\n");
  auto b = read_base_backup(dir.string());
  CHECK(b.start_lsn == "0/2000028");
  CHECK(b.start_segment == "000000020000000000000002");
  CHECK(b.timeline == 2);
  CHECK(b.label == "nightly");
  CHECK(b.end_lsn == "0/2000138");
  CHECK(b.pg_version == "15");
  REQUIRE(b.start_time);
  write("backup_manifest", "{\"WAL-Ranges\": [");
  CHECK(read_base_backup(dir.string()).end_lsn.empty());
  for (const char* timeline : {"x", "", "99999999999999999999", "-1"}) {
    write("backup_label", std::string("START WAL LOCATION: 0/2000028 (file 000000020000000000000002)\nSTART TIMELINE: ") +
                              timeline + "\n");
    CHECK(exit_of([&] { read_base_backup(dir.string()); }) == kit::Exit::environment);
  }
  // A damaged WAL location, in the label or in the manifest: "damaged" (exit 3), not an internal error.
  write("backup_label", "START WAL LOCATION: 0/zz (file 000000020000000000000002)\n");
  CHECK(exit_of([&] { read_base_backup(dir.string()); }) == kit::Exit::environment);
  write("backup_label", "START WAL LOCATION: 0/2000028 (file 000000020000000000000002)\n");
  for (const char* end : {"zz/not-an-lsn", "FFFFFFFFFFFFFFFFFFFF/1", ""}) {
    write("backup_manifest", std::string(R"({"WAL-Ranges": [{"End-LSN": ")") + end + "\"}]}");
    CHECK(exit_of([&] { read_base_backup(dir.string()); }) == kit::Exit::environment);
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("a base backup's START TIME in the zone PostgreSQL wrote: UTC, GMT, offsets, log_timezone's abbreviations") {
  // The local zone is the last one tried: make it one that uses none of the names below.
  const char* tz_before = std::getenv("TZ");
  std::string saved_tz = tz_before ? tz_before : "";
  setenv("TZ", "UTC", 1);
  auto dir = std::filesystem::temp_directory_path() / "pitr-label-zone-test";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  auto write = [&](const char* name, const std::string& text) { std::ofstream(dir / name) << text; };
  auto start_of = [&](const std::string& when) {
    write("backup_label", "START WAL LOCATION: 0/2000028 (file 000000010000000000000002)\nSTART TIME: " + when + "\n");
    return read_base_backup(dir.string()).start_time;
  };
  auto at = [](const char* rfc3339) { return std::optional<Micros>(parse_time(rfc3339, 0)); };
  CHECK(start_of("2026-11-28 10:00:00 UTC") == at("2026-11-28T10:00:00Z"));
  CHECK(start_of("2026-11-28 10:00:00 GMT") == at("2026-11-28T10:00:00Z"));  // Africa/Dakar
  CHECK(start_of("2026-11-28 10:00:00 +03") == at("2026-11-28T07:00:00Z"));  // a zone without an abbreviation
  CHECK(start_of("2026-11-28 10:00:00 -0330") == at("2026-11-28T13:30:00Z"));
  // A named zone, read through the backup's own log_timezone (the later file wins).
  write("postgresql.conf", "#log_timezone = 'Asia/Tokyo'\nlog_timezone = 'America/New_York'\n");
  write("postgresql.auto.conf", "log_timezone = 'Europe/Paris'   # set by ALTER SYSTEM\n");
  CHECK(start_of("2026-11-28 10:00:00 CET") == at("2026-11-28T09:00:00Z"));
  CHECK(start_of("2026-07-01 10:00:00 CEST") == at("2026-07-01T08:00:00Z"));
  // Without the tz database glibc reads "CET" as UTC named CET: refused, not an hour off.
  setenv("TZDIR", "/nonexistent-yonima-tzdir", 1);
  CHECK_FALSE(start_of("2026-11-28 10:00:00 CET"));
  unsetenv("TZDIR");
  // The hour a DST change repeats: the abbreviation says which.
  CHECK(start_of("2026-10-25 02:30:00 CEST") == at("2026-10-25T00:30:00Z"));
  CHECK(start_of("2026-10-25 02:30:00 CET") == at("2026-10-25T01:30:00Z"));
  // An abbreviation the zone does not use at that time, or no zone to read it with: unknown.
  CHECK_FALSE(start_of("2026-11-28 10:00:00 EST"));
  std::filesystem::remove(dir / "postgresql.auto.conf");
  std::filesystem::remove(dir / "postgresql.conf");
  CHECK_FALSE(start_of("2026-11-28 10:00:00 XYZT"));
  // Unknown, a time target is refused with what to do; an LSN target is not concerned.
  BaseBackup b = read_base_backup(dir.string());
  Archive archive;
  Window w = self_managed_window(b, BackupEnd{}, archive, false, std::nullopt, kNow);
  CHECK_FALSE(w.earliest);
  RecoveryTarget t;
  t.time = kNow - 600'000'000LL;
  auto m = refusal(t, w, kNow);
  CHECK(m.find("cannot be checked against the base backup") != std::string::npos);
  CHECK(m.find("XYZT") != std::string::npos);
  CHECK(m.find("--lsn, or --restore-point") != std::string::npos);
  std::filesystem::remove_all(dir);
  if (tz_before) setenv("TZ", saved_tz.c_str(), 1);
  else unsetenv("TZ");
}

TEST_CASE("Supabase project refs") {
  CHECK(supabase::valid_project_ref("abcdefghijklmnopqrst"));
  CHECK_FALSE(supabase::valid_project_ref("abcdefghijklmnopqrs"));
  CHECK_FALSE(supabase::valid_project_ref("ABCDEFGHIJKLMNOPQRST"));
  CHECK_FALSE(supabase::valid_project_ref("abcdefghij/lmnopqrst"));
}

TEST_CASE("hostile target text: only one-line usage errors, never a crash or another error") {
  std::mt19937 rng(20261128);
  const std::string alphabet = std::string("0123456789-:TZz+ ./agoAGOhms\xff\xc3\xa9\n\r\t'\"\\%") + std::string(1, '\0');
  for (int i = 0; i < 3000; ++i) {
    std::string text;
    size_t n = rng() % (i % 100 == 0 ? 5000 : 40);
    for (size_t k = 0; k < n; ++k) text += alphabet[rng() % alphabet.size()];
    CAPTURE(i);
    for (auto& parse : std::vector<std::function<void()>>{[&] { parse_time(text, kNow); }, [&] { parse_lsn(text); },
                                                           [&] { check_restore_point_name(text); },
                                                           [&] { parse_target({}, {}, {}, text, kNow); },
                                                           [&] { parse_segment_name(text); }}) {
      try {
        parse();
      } catch (const kit::Error& e) {
        CHECK(e.code() == kit::Exit::usage);
        std::string m = e.what();
        CHECK(m.find('\n') == std::string::npos);
        CHECK(m.size() < 400);
      }
    }
  }
  // Times far outside any calendar stay errors, not overflows.
  CHECK(exit_of([] { parse_time("99999999h ago", kNow); }) == kit::Exit::usage);
  CHECK(exit_of([] { parse_time("0000-00-00T00:00:00Z", kNow); }) == kit::Exit::usage);
}

TEST_CASE("pitr target: what a restore loses is said in words a reader takes in at once") {
  const Micros s = 1'000'000;
  CHECK(format_span(100 * s, 100 * s) == "0s");             // was "0ms"
  CHECK(format_span(100 * s, 100 * s + 900 * s) == "15m");
  CHECK(format_span(0, 366LL * 86'400 * s) == "366d");      // was "8784h"
  CHECK(format_span(0, (8 * 86'400 + 3 * 3'600 + 59) * s) == "8d 3h");
  CHECK(format_span(10 * s, 0) == "0s");                     // a target after now loses nothing
}
