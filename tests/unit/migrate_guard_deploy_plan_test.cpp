// plan_deploy is pure: plans built from made-up facts, no database.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "migrate-guard/deploy_plan.hpp"

using namespace migrate_guard;

namespace {

Migration mig(const std::string& name, const std::string& sql) { return {name, "m/" + name + "/migration.sql", sql, sha256_hex(sql)}; }

LedgerRow done(const Migration& m, bool finished = true) {
  LedgerRow r;
  r.id = m.name;
  r.name = m.name;
  r.checksum = m.checksum;
  r.started_at = "2024-01-01T00:00:00.000Z";
  if (finished) r.finished_at = "2024-01-01T00:00:01.000Z";
  else r.logs = "Database error code: 42P01\n\nDatabase error:\nERROR: boom\n";
  r.applied_steps_count = finished ? 1 : 0;
  return r;
}

struct Setup {
  MigrationsFolder folder;
  DeployFacts facts;
  Setup(std::vector<Migration> disk, std::vector<LedgerRow> ledger) {
    folder.dir = "m";
    folder.migrations = std::move(disk);
    facts.folder = &folder;
    facts.status = compare(folder.migrations, ledger, !ledger.empty());
  }
};

std::vector<StepKind> kinds(const DeployPlan& p) {
  std::vector<StepKind> out;
  for (const auto& s : p.steps) out.push_back(s.kind);
  return out;
}

}  // namespace

TEST_CASE("deploy plan: restore marker, then extensions, then the pending migrations in order") {
  Setup s({mig("1_a", "A"), mig("2_b", "B"), mig("3_c", "C")}, {});
  s.facts.status = compare(s.folder.migrations, {done(s.folder.migrations[0])}, true);
  s.facts.extensions = {{"postgis", "", true}, {"pg_trgm", "extensions", true}};
  DeployOptions o;
  o.extension_schema = "extensions";
  DeployPlan p = plan_deploy(s.facts, o);
  CHECK_FALSE(p.refused());
  CHECK(kinds(p) == std::vector<StepKind>{StepKind::restore_marker, StepKind::create_extension, StepKind::apply_migration,
                                          StepKind::apply_migration});
  CHECK(p.steps[0].name == "2_b");  // the restore point is named after the first migration
  CHECK(p.steps[1].name == "postgis");
  CHECK(p.steps[2].migration == &s.folder.migrations[1]);
  CHECK(p.steps[3].name == "3_c");
  CHECK(p.pending == std::vector<std::string>{"2_b", "3_c"});
  CHECK(p.extensions_to_create == std::vector<std::string>{"postgis"});
  auto j = plan_json(p);
  CHECK(j["apply"] == nlohmann::json({"2_b", "3_c"}));
  CHECK(j["steps"][0]["kind"] == "restore-marker");
  CHECK(plan_markdown(p).find("create extension postgis (in schema extensions)") != std::string::npos);
}

TEST_CASE("deploy plan: the Supabase restore point comes right after the marker, before any change; never without --supabase-project") {
  Setup s({mig("1_a", "A"), mig("2_b", "B")}, {});
  s.facts.status = compare(s.folder.migrations, {done(s.folder.migrations[0])}, true);
  s.facts.extensions = {{"postgis", "", true}};
  DeployOptions o;
  CHECK(kinds(plan_deploy(s.facts, o)) == std::vector<StepKind>{StepKind::restore_marker, StepKind::create_extension, StepKind::apply_migration});
  o.supabase = SupabaseRestorePoint{.project_ref = "abcdefghijklmnopqrst", .token = "sbp_secret"};
  DeployPlan p = plan_deploy(s.facts, o);
  CHECK(kinds(p) == std::vector<StepKind>{StepKind::restore_marker, StepKind::supabase_restore_point, StepKind::create_extension,
                                          StepKind::apply_migration});
  CHECK(p.steps[1].name == "2_b");
  CHECK(plan_json(p)["steps"][1]["kind"] == "supabase-restore-point");
  std::string md = plan_markdown(p);
  CHECK(md.find("restore point in Supabase project abcdefghijklmnopqrst") != std::string::npos);
  CHECK(md.find("refuses the deploy") != std::string::npos);
  CHECK(md.find("sbp_secret") == std::string::npos);
  o.supabase->optional = true;
  CHECK(plan_markdown(plan_deploy(s.facts, o)).find("only warns") != std::string::npos);
  // Up to date: no marker, and no API call either.
  s.facts.status = compare(s.folder.migrations, {done(s.folder.migrations[0]), done(s.folder.migrations[1])}, true);
  s.facts.extensions = {};
  CHECK(plan_deploy(s.facts, o).nothing_to_do());
}

TEST_CASE("deploy plan: nothing pending and every extension present is nothing to do, not even a restore marker") {
  Setup s({mig("1_a", "A")}, {});
  s.facts.status = compare(s.folder.migrations, {done(s.folder.migrations[0])}, true);
  s.facts.extensions = {{"postgis", "public", true}};
  DeployPlan p = plan_deploy(s.facts, {});
  CHECK(p.nothing_to_do());
  CHECK(p.steps.empty());
  CHECK(plan_markdown(p) == "Nothing to do.\n");
}

TEST_CASE("deploy plan: refusals come before any step") {
  SUBCASE("a failed migration (P3009)") {
    Setup s({mig("1_a", "A"), mig("2_b", "B")}, {});
    s.facts.status = compare(s.folder.migrations, {done(s.folder.migrations[0], false)}, true);
    DeployPlan p = plan_deploy(s.facts, {});
    CHECK(p.refusal == Refusal::failed_migration);
    CHECK(p.steps.empty());
    CHECK(p.hint.find("resolve --rolled-back 1_a") != std::string::npos);
    REQUIRE(p.notes.size() == 1);
    CHECK(p.notes[0].where.file == "m/1_a/migration.sql");
  }
  SUBCASE("an edited migration, unless --allow-edited") {
    Setup s({mig("1_a", "A edited"), mig("2_b", "B")}, {});
    LedgerRow r = done(s.folder.migrations[0]);
    r.checksum = sha256_hex("A");
    s.facts.status = compare(s.folder.migrations, {r}, true);
    DeployPlan p = plan_deploy(s.facts, {});
    CHECK(p.refusal == Refusal::edited_migrations);
    CHECK(p.steps.empty());
    DeployOptions allow;
    allow.allow_edited = true;
    DeployPlan q = plan_deploy(s.facts, allow);
    CHECK_FALSE(q.refused());
    CHECK(q.pending == std::vector<std::string>{"2_b"});
    REQUIRE(q.warnings.size() == 1);
    CHECK(q.warnings[0].find("--allow-edited") != std::string::npos);
  }
  SUBCASE("a non-empty schema without history (P3005)") {
    Setup s({mig("1_a", "A")}, {});
    s.facts.objects_without_history = 3;
    DeployPlan p = plan_deploy(s.facts, {});
    CHECK(p.refusal == Refusal::not_baselined);
    CHECK(p.headline.find("P3005") != std::string::npos);
    CHECK(p.hint.find("resolve --applied") != std::string::npos);
  }
  SUBCASE("lint errors in pending migrations, unless --skip-lint") {
    Setup s({mig("1_a", "A")}, {});
    LintRun lint;
    lint.errors = 1;
    s.facts.lint = lint;
    CHECK(plan_deploy(s.facts, {}).refusal == Refusal::lint_errors);
    DeployOptions skip;
    skip.skip_lint = true;
    CHECK_FALSE(plan_deploy(s.facts, skip).refused());
  }
}

TEST_CASE("deploy plan: timeouts and the extension schema travel with the plan") {
  Setup s({mig("1_a", "A")}, {});
  DeployOptions o;
  o.lock_timeout_sql = kit::Millis(5000);
  o.statement_timeout = kit::Millis(60000);
  DeployPlan p = plan_deploy(s.facts, o);
  CHECK(p.lock_timeout_sql == kit::Millis(5000));
  CHECK(p.statement_timeout == kit::Millis(60000));
  CHECK(p.extension_schema == "public");
  CHECK(describe(p.steps.back(), p) == "apply 1_a (m/1_a/migration.sql)");
}

TEST_CASE("deploy plan: lint errors on a new, empty or small table do not block; on a busy one they do") {
  Setup s({mig("1_a", "A"), mig("2_b", "B")}, {});
  auto finding = [](const std::string& table, lint::TableOrigin origin) {
    lint::Finding f;
    f.rule = "require-concurrent-index-creation";
    f.message = "CREATE INDEX blocks writes";
    f.line = 1;
    f.table = table;
    f.table_origin = origin;
    f.table_created_in = "m/1_a/migration.sql";
    return f;
  };
  LintRun lint;
  lint.files.push_back({});
  lint.files[0].path = "m/2_b/migration.sql";
  lint.files[0].findings = {finding("public.fresh", lint::TableOrigin::earlier_migration), finding("public.empty", lint::TableOrigin::existing),
                            finding("public.small", lint::TableOrigin::existing)};
  lint.errors = 3;
  s.facts.lint = lint;
  s.facts.tables["public.empty"] = {true, 0, false};
  s.facts.tables["public.small"] = {true, 40, false};
  DeployPlan strict = plan_deploy(s.facts, {});
  CHECK(strict.refusal == Refusal::lint_errors);
  CHECK(strict.lint->errors == 1);  // only the table with rows
  REQUIRE(strict.not_blocking.size() == 2);
  CHECK(strict.not_blocking[0].find("table `public.fresh` is new (created by m/1_a/migration.sql in this run): not blocking") != std::string::npos);
  CHECK(strict.not_blocking[1].find("table `public.empty` has 0 rows: not blocking") != std::string::npos);
  DeployOptions o;
  o.small_table_rows = 100;
  DeployPlan lenient = plan_deploy(s.facts, o);
  CHECK_FALSE(lenient.refused());
  CHECK(lenient.lint->errors == 0);
  CHECK(lenient.lint->warnings == 3);
  CHECK(lenient.not_blocking[2].find("has fewer than 100 rows") != std::string::npos);
  s.facts.tables["public.small"] = {true, 100, true};  // the count reached its cap
  CHECK(plan_deploy(s.facts, o).refused());
}
