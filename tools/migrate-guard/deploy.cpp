// deploy: refuse unsafe states with nothing changed, then lock, mark a restore point, ensure
// extensions and apply the pending migrations in order, each as one script as Prisma does.
#include "migrate-guard/deploy.hpp"

#include <algorithm>

#include "kit/error.hpp"
#include "kit/log.hpp"
#include "kit/text.hpp"
#include "migrate-guard/ledger.hpp"
#include "migrate-guard/lock.hpp"
#include "migrate-guard/status.hpp"
#include "pg/connection.hpp"
#include "pg/pooler.hpp"
#include "pg/quote.hpp"
#include "supabase/management_api.hpp"

namespace migrate_guard {
namespace {

std::string sql_ms(kit::Millis d) { return "'" + std::to_string(d.count()) + "ms'"; }

// Rows of an existing table, counted up to `cap` (LIMIT: cheap on a big table); the catalog's
// estimate first, so a table known to be large is not read at all. `unqualified_schema`: the
// schema the linter gave unqualified names, which this session may resolve elsewhere.
TableFacts table_facts(pg::Connection& conn, const std::string& qualified, const std::string& unqualified_schema, long long cap) {
  TableFacts t;
  auto dot = qualified.find('.');
  std::string schema = dot == std::string::npos ? "public" : qualified.substr(0, dot);
  std::string name = dot == std::string::npos ? qualified : qualified.substr(dot + 1);
  auto rows = conn.query(
      "SELECT c.reltuples::bigint, row_security_active(c.oid), "
      "coalesce(to_regclass(quote_ident($2::text))::oid = c.oid, false) "
      "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
      "WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p')",
      {schema, name});
  if (rows.empty()) return t;
  t.exists = true;
  // The name may have been written without a schema: this session's search_path (the database's,
  // the role's, "$user") decides where it points, not the linter's default.
  if (schema == unqualified_schema && rows[0][2] != std::optional<std::string>("t")) {
    t.unknown = "this session's search_path does not resolve `" + name + "` to it (another table, or none)";
    return t;
  }
  // Row-level security would hide rows from the count: 0 rows seen, any number there.
  if (rows[0][1] == std::optional<std::string>("t")) {
    t.unknown = "row-level security hides its rows from this role";
    return t;
  }
  long long estimate = rows[0][0] ? std::stoll(*rows[0][0]) : -1;  // -1: never analyzed
  if (estimate > cap * 10 + 1000) {
    t.rows = estimate;
    t.at_least = true;
    return t;
  }
  try {
    std::string n = conn.scalar("SELECT count(*) FROM (SELECT 1 FROM " + pg::quote_ident(schema) + "." + pg::quote_ident(name) +
                                " LIMIT " + std::to_string(cap) + ") s");
    t.rows = n.empty() ? 0 : std::stoll(n);
    t.at_least = t.rows >= cap;
  } catch (const pg::PgError& e) {
    if (e.connection_lost) throw;
    t.unknown = std::string("its rows cannot be counted: ") + e.what();
  }
  return t;
}

// The first pending migration that changes search_path, "" when none (a text search: a mention in
// a comment only makes deploy stricter).
std::string search_path_setter(const std::vector<const Migration*>& pending) {
  for (const auto* m : pending) {
    std::string lower = kit::lower(m->sql);
    if (lower.find("search_path") != std::string::npos) return m->name;
  }
  return "";
}

// What to do about a restore point the Management API would not create, by its answer.
std::string restore_point_hint(const supabase::ApiError& e) {
  switch (e.status) {
    case 0: return "the Management API did not answer: check --supabase-api-url and the network";
    case 401: return "SUPABASE_ACCESS_TOKEN was refused: create a new personal access token (Account > Access Tokens)";
    case 403: return "the token's user may not manage this project's backups: use a token of an owner or administrator";
    case 404: return "the project ref is wrong, or named restore points are not enabled for this project (Supabase enables them on request)";
    case 429: return "the API kept rate-limiting (60 requests a minute per user): wait a minute and deploy again";
    default: return e.status >= 500 ? "the Management API failed: check status.supabase.com and deploy again" : "check the answer above";
  }
}

// The Supabase restore point, named as the marker just recorded so pitr-restore --before-migration
// recognises it. Refuses the deploy (nothing migrated yet) unless it was made optional.
void create_supabase_restore_point(const SupabaseRestorePoint& sp, const pg::RestoreMarker& marker, DeployResult& r) {
  supabase::ApiConfig config;
  config.base_url = sp.api_url;
  config.token = sp.token;
  supabase::ManagementApi api(std::move(config));
  try {
    api.create_restore_point(sp.project_ref, marker.point_name);
    r.supabase_restore_point = marker.point_name;
    kit::log::info("Supabase restore point " + marker.point_name + " created in project " + sp.project_ref);
  } catch (const supabase::ApiError& e) {
    // Sent once: after a timeout or a 5xx the point may exist. The list says.
    if (e.outcome_unknown) {
      try {
        for (const auto& p : api.restore_points(sp.project_ref))
          if (p.name == marker.point_name) {
            r.supabase_restore_point = marker.point_name;
            kit::log::info("Supabase restore point " + marker.point_name + " created in project " + sp.project_ref +
                           " (the answer was lost: " + e.what() + "; the project lists it)");
            return;
          }
      } catch (const supabase::ApiError&) {
      }
    }
    std::string what = "could not create a restore point in Supabase project " + sp.project_ref + ": " + e.what() +
                       (e.outcome_unknown ? " (it may still appear: the request was sent once and not listed after)" : "");
    if (!sp.optional)
      throw kit::environment_error(what + "; deploy refused, no migration applied (only a restore marker was written to the WAL)",
                                   restore_point_hint(e) + "; or deploy with --allow-without-restore-point to migrate with only "
                                   "the restore marker's time (restore-point-time) as the recovery target");
    r.supabase_restore_point_error = e.what();
    kit::log::warn(what + "; going on (--allow-without-restore-point): the recovery target is the restore marker's time " + marker.time);
  }
}

DeployFacts observe(pg::Connection& conn, const DeployRequest& req, const MigrationsFolder& folder) {
  DeployFacts f;
  f.folder = &folder;
  f.schema = req.db.target.schema;
  f.status = load_status(conn, f.schema, folder);
  bool no_history = true;
  for (const auto& e : f.status.entries)
    if (e.row) no_history = false;
  if (no_history) f.objects_without_history = user_objects_in(conn, f.schema);
  f.extensions = check_extensions(conn, req.options.extensions);
  auto pending = f.status.with(State::pending);
  if (!pending.empty() && !req.options.skip_lint) {
    if (!linter_built()) {
      f.linter_missing = true;
    } else {
      std::vector<const Migration*> files;
      for (const auto* e : pending) files.push_back(e->file);
      f.lint = lint_migrations(folder, files, req.options.disabled_rules, f.schema);
      f.search_path_set_by = search_path_setter(files);
      long long cap = std::max<long long>(1, req.options.small_table_rows);
      if (f.search_path_set_by.empty())
        for (const auto& file : f.lint->files)
          for (const auto& x : file.findings)
            if (!x.suppressed && x.severity == lint::Severity::error && x.table_origin == lint::TableOrigin::existing &&
                !x.table.empty() && !f.tables.count(x.table))
              f.tables[x.table] = table_facts(conn, x.table, f.schema, cap);
    }
  }
  return f;
}

}  // namespace

DeployResult execute(const DeployPlan& plan, pg::Connection& conn, const std::string& schema, const StepObserver& observer) {
  DeployResult r;
  if (plan.refused() || plan.steps.empty()) return r;
  std::optional<Ledger> ledger;
  for (size_t i = 0; i < plan.steps.size(); ++i) {
    const Step& step = plan.steps[i];
    observer.begin(step);
    try {
      switch (step.kind) {
        case StepKind::restore_marker:
          r.marker = pg::record_restore_marker(conn, step.name);
          kit::log::info("restore marker: " + r.marker->time + (r.marker->name.empty() ? "" : " (restore point " + r.marker->name + ")"));
          break;
        case StepKind::supabase_restore_point:
          if (plan.supabase && r.marker) create_supabase_restore_point(*plan.supabase, *r.marker, r);
          break;
        case StepKind::create_extension: {
          auto created = create_missing_extensions(conn, {{step.name, "", true}}, plan.extension_schema);
          r.created_extensions.insert(r.created_extensions.end(), created.begin(), created.end());
          break;
        }
        case StepKind::apply_migration: {
          if (!ledger) {
            ledger.emplace(conn, schema);
            ledger->create();
          }
          const Migration& m = *step.migration;
          kit::log::info("applying " + m.name);
          // Set again before each one: a migration that changes or resets them must not carry its
          // setting into the next.
          if (plan.lock_timeout_sql) conn.query("SET lock_timeout = " + sql_ms(*plan.lock_timeout_sql));
          if (plan.statement_timeout) conn.query("SET statement_timeout = " + sql_ms(*plan.statement_timeout));
          ApplyResult a = apply_migration(conn, *ledger, m);
          r.runs.push_back({m.name, a.ok, a.elapsed});
          if (a.ok) {
            r.applied.push_back(m.name);
            kit::log::info("applied " + m.name + " in " + kit::format_duration(a.elapsed));
            break;
          }
          DeployFailure f;
          f.migration = &m;
          f.result = a;
          for (size_t j = i + 1; j < plan.steps.size(); ++j) f.not_attempted.push_back(plan.steps[j].name);
          r.failure = std::move(f);
          observer.end(step);
          return r;
        }
      }
    } catch (const std::exception& e) {
      // A query of our own failed between migrations (a SET, the ledger, an extension). Before
      // anything changed that is "nothing changed" (exit 3, as thrown); after, the truth is partial.
      observer.end(step);
      if (r.applied.empty() && r.created_extensions.empty()) throw;
      throw kit::partial_error("deploy stopped at step " + std::to_string(i + 1) + " (" + describe(step, plan) + "): " + e.what() +
                                   "; applied before it: " + (r.applied.empty() ? "none" : kit::join(r.applied, ", ")) +
                                   (r.created_extensions.empty() ? "" : "; extensions created: " + kit::join(r.created_extensions, ", ")),
                               "check `migrate-guard status`, then run deploy again: what was applied is recorded");
    }
    observer.end(step);
  }
  return r;
}

std::unique_ptr<DeployRun> deploy(const DeployRequest& req, const StepObserver& observer) {
  if (req.options.extension_schema.empty()) throw kit::usage_error("--extension-schema must not be empty");
  auto run = std::make_unique<DeployRun>();
  run->folder = read_migrations(req.dir);
  pg::refuse_pooler(req.db.target);
  auto conn = connect(req.db);
  if (auto why = pg::server_side_pooler_reason(*conn); !why.empty())
    throw kit::usage_error("refusing a pooled connection (" + why + "): migrations need a direct connection");
  // If this process dies mid-migration, the server notices within a second and rolls the
  // script back instead of finishing it unobserved (PostgreSQL 14+; ignored before).
  try {
    conn->query("SET client_connection_check_interval = 1000");
  } catch (const pg::PgError&) {
  }
  // A dry run changes nothing, so it does not queue behind (or block) a running deploy.
  std::optional<MigrationLock> lock;
  if (!req.options.dry_run) lock.emplace(*conn, req.options.lock_timeout);
  DeployFacts facts = observe(*conn, req, run->folder);
  run->plan = plan_deploy(facts, req.options);
  run->status = std::move(facts.status);
  for (const auto& w : run->plan.warnings) kit::log::warn(w);
  if (req.options.dry_run || run->plan.refused() || run->plan.nothing_to_do()) return run;
  run->result = execute(run->plan, *conn, req.db.target.schema, observer);
  return run;
}

}  // namespace migrate_guard
