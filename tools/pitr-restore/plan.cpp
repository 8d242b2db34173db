#include "pitr-restore/plan.hpp"

#include <algorithm>

#include "kit/error.hpp"
#include "kit/text.hpp"
#include "pg/restore_marker.hpp"

namespace pitr_restore {
namespace {

// migrate-guard names its restore point "migrate-guard-<YYYYMMDDTHHMMSSZ>-<first migration>", cut
// to PostgreSQL's 63 bytes; pg::restore_point_name is that one definition, so a point names the
// migration when the name rebuilt from its own time equals it.
bool marker_names(const std::string& point, const std::string& migration) {
  if (point.rfind("migrate-guard-", 0) != 0 || point.size() < 14 + 16) return false;
  return pg::restore_point_name(point.substr(14, 16), migration) == point;
}

std::optional<Micros> marker_time(const std::string& point) {
  std::string c = point.substr(14, 16);  // 20240101T120000Z
  std::string rfc = c.substr(0, 4) + "-" + c.substr(4, 2) + "-" + c.substr(6, 2) + "T" + c.substr(9, 2) + ":" + c.substr(11, 2) +
                    ":" + c.substr(13, 2) + "Z";
  try {
    return parse_time(rfc, 0, "restore point");
  } catch (const kit::Error&) {
    return std::nullopt;
  }
}

}  // namespace

RecoveryTarget resolve_target(const TargetRequest& request, const Facts& facts, const std::vector<NamedPoint>& points) {
  RecoveryTarget t;
  switch (request.kind) {
    case TargetKind::time:
      t.kind = TargetKind::time;
      t.time = request.time;
      t.source = "--to " + request.as_written;
      return t;
    case TargetKind::restore_point:
      t.kind = TargetKind::restore_point;
      t.name = request.name;
      for (const auto& p : points)
        if (p.name == request.name) t.time = p.time;
      t.source = "--restore-point";
      return t;
    case TargetKind::lsn:
      t.kind = TargetKind::lsn;
      t.lsn = request.lsn;
      t.source = "--lsn";
      return t;
    case TargetKind::before_migration:
      break;
  }
  const std::string& name = request.name;
  t.migration = name;
  if (!facts.ledger)
    throw kit::environment_error("--before-migration " + name + ": cannot read _prisma_migrations" +
                                     (facts.ledger_problem.empty() ? "" : " (" + facts.ledger_problem + ")"),
                                 std::string(facts.ledger_problem == kNoDatabaseUrl
                                                 ? "give --database-url (a direct connection to the application's database)"
                                                 : "check that --database-url is right and the database is reachable from here") +
                                     ", or use --to with the restore-point-time migrate-guard deploy printed");
  const AppliedMigration* row = nullptr;
  for (const auto& m : *facts.ledger)
    if (m.name == name && !m.rolled_back && (!row || m.started_at > row->started_at)) row = &m;
  if (!row) {
    std::vector<std::string> recent;
    for (auto it = facts.ledger->rbegin(); it != facts.ledger->rend() && recent.size() < 5; ++it) recent.push_back(it->name);
    throw kit::usage_error("--before-migration: migration '" + name.substr(0, 100) + "' is not in _prisma_migrations" +
                           (recent.empty() ? " (it is empty)" : " (latest: " + kit::join(recent, ", ") + ")") +
                           "; the recovery window is " + facts.window.describe());
  }
  // The restore point migrate-guard deploy created just before this migration, when the provider
  // lists restore points: the exact WAL position. Else the migration's own start time.
  const NamedPoint* marker = nullptr;
  std::optional<Micros> marker_at;
  for (const auto& p : points) {
    if (!marker_names(p.name, name)) continue;
    auto at = marker_time(p.name);
    if (!at || *at > row->started_at) continue;
    if (!marker || *at > *marker_at) {
      marker = &p;
      marker_at = at;
    }
  }
  if (marker) {
    t.kind = TargetKind::restore_point;
    t.name = marker->name;
    t.time = marker->time ? marker->time : marker_at;
    t.source = "restore point " + marker->name + " that migrate-guard deploy created before " + name;
    return t;
  }
  t.kind = TargetKind::time;
  t.time = row->started_at;
  t.inclusive = false;
  t.source = "_prisma_migrations.started_at of " + name;
  return t;
}

Plan build_plan(const Request& request, const Facts& facts, Micros now) {
  Plan p;
  p.provider = request.provider;
  p.window = facts.window;
  p.now = now;
  p.target = resolve_target(request.target, facts, facts.window.restore_points);
  // The Management API takes whole seconds: the plan shows the instant it will really ask for,
  // rounded down (earlier), so "just before a migration" stays before it.
  if (request.provider == Provider::supabase && p.target.kind == TargetKind::time && p.target.time) {
    Micros t = *p.target.time;
    p.target.time = (t >= 0 ? t / 1'000'000 : (t - 999'999) / 1'000'000) * 1'000'000;
    if (p.target.time != t) p.target.inclusive = true;  // everything up to the earlier whole second
  }
  p.refusal = refusal(p.target, p.window, now);
  if (!p.refusal.empty()) p.refused = p.window.available ? Refusal::target : Refusal::unavailable;
  if (std::string busy = operation_under_way_refusal(request.supabase.project_ref, facts.window.project_status.value_or(""));
      !busy.empty()) {
    p.refused = Refusal::busy;
    p.refusal = busy;
  }
  if (p.refusal.empty() && facts.archive_gap) {
    p.refused = Refusal::archive_gap;
    p.refusal = "the WAL archive has a gap: segment " + *facts.archive_gap +
                " is missing, so recovery would stop short of the target; the recovery window is " + p.window.describe();
  }
  if (request.mode != Mode::rehearse)
    p.confirm_id = request.provider == Provider::supabase ? request.supabase.project_ref : request.self.pgdata;
  p.old_data_dir = facts.aside;

  if (facts.ledger && p.target.time) {
    for (const auto& m : *facts.ledger)
      if (m.started_at >= *p.target.time && !m.rolled_back) p.migrations_lost.push_back(m.name);
  }
  if (p.target.time)
    p.loss = "everything written after " + format_time(*p.target.time) + " (the last " + format_span(*p.target.time, now) + ")";
  else
    p.loss = "everything written after " + p.target.describe();
  if (const auto& status = facts.window.project_status; status && *status != "ACTIVE_HEALTHY" && !operation_under_way(*status))
    p.warnings.push_back("project " + request.supabase.project_ref + " is " + *status +
                         ", not ACTIVE_HEALTHY: the Management API may refuse the restore (it then says why)");
  if (!facts.ledger && !facts.ledger_problem.empty())
    p.warnings.push_back("the migrations that will be lost are not listed: " + facts.ledger_problem);

  auto step = [&](std::string a, std::string d = {}) { p.steps.push_back({std::move(a), std::move(d)}); };
  switch (request.provider) {
    case Provider::supabase: {
      const std::string& ref = request.supabase.project_ref;
      if (p.target.kind == TargetKind::restore_point)
        step("POST /v1/projects/" + ref + "/database/backups/undo", "{\"name\": \"" + p.target.name + "\"}");
      else
        step("POST /v1/projects/" + ref + "/database/backups/restore-pitr",
             "recovery_time_target_unix " + std::to_string(*p.target.time / 1'000'000) + " (" + format_time(*p.target.time) +
                 "; the API takes whole seconds)");
      step("poll GET /v1/projects/" + ref + " every " + kit::format_duration(request.poll_interval),
           "until ACTIVE_HEALTHY, at most " + kit::format_duration(request.timeout));
      p.warnings.push_back("the project is unavailable while it restores; Storage objects are not restored");
      break;
    }
    case Provider::postgres:
    case Provider::pgbackrest: {
      const auto& s = request.self;
      bool rehearse = request.mode == Mode::rehearse;
      std::string into = rehearse ? "a scratch data directory (" + (request.rehearsal.scratch_dir.empty() ? std::string("beside the data directory") : request.rehearsal.scratch_dir) + ")" : s.pgdata;
      if (!rehearse) {
        if (facts.server_running) step("stop the server", "pg_ctl stop -m fast (allowed by --stop)");
        step("move the data directory aside", s.pgdata + " -> " + facts.aside + " (a rename; nothing is deleted)");
      }
      if (request.provider == Provider::postgres) {
        step("verify the base backup against its manifest", "pg_verifybackup -n " + s.base_backup);
        step("copy the base backup into " + into, "cp -a as the data directory's owner");
        if (!rehearse && !facts.unarchived_wal.empty())
          step("copy " + std::to_string(facts.unarchived_wal.size()) + " unarchived WAL segments from the old pg_wal",
               facts.unarchived_wal.front() + " .. " + facts.unarchived_wal.back());
        step("write recovery settings", "recovery.signal; restore_command from " + s.wal_archive +
                                            (rehearse && !s.pgdata.empty() ? " (then, read-only, " + s.pgdata + "/pg_wal)" : "") + "; " +
                                            p.target.describe() + "; recovery_target_action = promote; recovery_target_timeline = current" +
                                            (rehearse ? "; archive_mode = off; its own socket and port" : ""));
      } else {
        step("pgbackrest restore", "--stanza " + s.stanza + " --type " +
                                       (p.target.kind == TargetKind::time ? "time" : p.target.kind == TargetKind::lsn ? "lsn" : "name") +
                                       " --target-action=promote --target-timeline=current into " + into +
                                       (rehearse ? " --archive-mode=off" : ""));
        if (!rehearse && !facts.unarchived_wal.empty())
          step("copy " + std::to_string(facts.unarchived_wal.size()) + " unarchived WAL segments from the old pg_wal");
      }
      step(rehearse ? "start the scratch server and replay WAL" : "start the server and replay WAL",
           "progress every 5s; deadline " + kit::format_duration(request.timeout));
      step("wait until pg_is_in_recovery() is false", "the target was reached and the server promoted");
      if (rehearse) step("stop the scratch server and remove its directory", request.rehearsal.keep ? "kept running (--keep)" : "");
      break;
    }
  }
  if (request.verify_sql) step("verify", "--verify-sql must return a row");
  return p;
}

kit::Error refused_error(const std::string& message, Refusal why) {
  switch (why) {
    case Refusal::archive_gap:
      return kit::environment_error(message + "; nothing was changed",
                                    "find the missing WAL segment (another archive copy, the server's pg_wal) and put it in the archive, "
                                    "or pick a target before the gap");
    case Refusal::busy:
      return kit::environment_error(message + "; nothing was sent",
                                    "wait until the project is ACTIVE_HEALTHY (the dashboard, or `pitr-restore window` again), then run "
                                    "`pitr-restore plan` once more: a finished restore moves the window and what a target would lose");
    case Refusal::unavailable:
      return kit::environment_error(message + "; nothing was changed", "enable point-in-time recovery before you need it");
    default:
      return kit::usage_error(message + "; nothing was changed", "pick a target inside the window (pitr-restore window shows it)");
  }
}

kit::Error refused_error(const Plan& plan) {
  return refused_error(plan.refused == Refusal::busy ? plan.refusal : "target refused: " + plan.refusal, plan.refused);
}

}  // namespace pitr_restore
