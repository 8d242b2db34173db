// lint: pick the migrations (all, changed since a git ref, or pending in the database), lint them,
// render findings as annotations, a summary table and JSON; exit 1 on unsuppressed errors.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <set>
#include <sstream>

#include "kit/log.hpp"
#include "kit/process.hpp"
#include "kit/text.hpp"
#include "migrate-guard/commands/common.hpp"
#include "migrate-guard/lint_runner.hpp"
#include "migrate-guard/migrate_guard.hpp"
#include "migrate-guard/status.hpp"

namespace migrate_guard {
namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string l;
  while (std::getline(in, l))
    if (!l.empty()) out.push_back(l);
  return out;
}

// Migration folders with a change since `ref`: committed, staged, unstaged or untracked.
std::set<std::string> changed_since(const std::string& dir, const std::string& ref) {
  if (ref.empty() || ref[0] == '-') throw kit::usage_error("--since: '" + ref + "' is not a git ref");
  // Against the merge base, as a pull request sees it: migrations added on `ref` since the branch
  // forked are not ours. A shallow clone has no merge base; then compare with `ref` itself.
  std::string base = ref;
  auto mb = kit::run_process({{"git", "-C", dir, "merge-base", ref, "HEAD"}, {}, std::nullopt, kit::Millis(60'000)});
  if (mb.started && mb.exit_code == 0 && !lines_of(mb.out).empty()) base = lines_of(mb.out)[0];
  else if (mb.started) kit::log::warn("--since: no merge base with " + ref + " (shallow clone?); comparing with " + ref + " itself");
  auto diff = kit::run_process({{"git", "-C", dir, "diff", "--name-only", "--relative", base, "--", "."}, {}, std::nullopt, kit::Millis(60'000)});
  if (!diff.started) throw kit::environment_error("--since needs git: " + diff.error, "install git or lint without --since");
  if (diff.exit_code != 0) {
    std::string why = diff.err.substr(0, diff.err.find('\n'));
    throw kit::usage_error("--since: git cannot compare with '" + ref + "': " + why);
  }
  auto untracked = kit::run_process({{"git", "-C", dir, "ls-files", "--others", "--exclude-standard", "."}, {}, std::nullopt, kit::Millis(60'000)});
  std::set<std::string> folders;
  for (const auto& text : {diff.out, untracked.out})
    for (const auto& path : lines_of(text)) {
      auto slash = path.find('/');
      if (slash != std::string::npos) folders.insert(path.substr(0, slash));
    }
  return folders;
}

}  // namespace

kit::Outcome run_lint(kit::Context& ctx) {
  if (ctx.args.flag("rules")) {
#ifdef MIGRATE_GUARD_HAVE_LINT
    std::vector<std::vector<std::string>> rows;
    nlohmann::json j = nlohmann::json::array();
    for (const auto& r : lint::rules()) {
      std::string sev = r.severity == lint::Severity::error ? "error" : "warning";
      rows.push_back({r.name, sev, r.description});
      j.push_back({{"name", r.name}, {"severity", sev}, {"description", r.description}});
      if (!ctx.report.json_mode()) std::printf("%-40s %-8s %s\n", r.name.c_str(), sev.c_str(), r.description.c_str());
    }
    ctx.report.result("rules", j);
    ctx.report.summary("### migrate-guard lint rules\n\n" + kit::markdown_table({"rule", "severity", "description"}, rows));
    return {kit::Exit::ok, std::to_string(rows.size()) + " rules"};
#else
    throw kit::environment_error("this migrate-guard was built without the linter (tools/migrate-guard/lint)");
#endif
  }
  std::vector<std::string> disabled = disabled_rule_names(ctx.args.list("disable-rule"));  // usage errors first
  int selectors = int(ctx.args.has("since")) + int(ctx.args.flag("pending")) + int(ctx.args.has("migration"));
  if (selectors > 1) throw kit::usage_error("use one of --since, --pending and --migration");
  MigrationsFolder folder = read_migrations(ctx.args.str("dir"));
  report_folder_warnings(ctx.report, folder);
  std::vector<const Migration*> selected;
  std::string selection = "all migrations";
  if (auto since = ctx.args.opt("since"); since && !since->empty()) {
    auto changed = changed_since(folder.dir, *since);
    for (const auto& m : folder.migrations)
      if (changed.count(m.name)) selected.push_back(&m);
    selection = "migrations changed since " + *since;
  } else if (ctx.args.has("migration")) {
    for (const auto& name : kit::split_commas(ctx.args.list("migration"))) {
      auto m = std::find_if(folder.migrations.begin(), folder.migrations.end(), [&](const Migration& x) { return x.name == name; });
      if (m == folder.migrations.end()) throw kit::usage_error("--migration: no migration '" + name + "' in " + folder.dir);
      selected.push_back(&*m);
    }
    selection = "selected migrations";
  } else if (ctx.args.flag("pending")) {
    pg::DbTarget target = target_from_args(ctx);
    auto conn = connect(ctx, target);
    Status s = load_status(*conn, target.schema, folder);
    for (const auto* e : s.with(State::pending)) selected.push_back(e->file);
    selection = "pending migrations";
  } else {
    for (const auto& m : folder.migrations) selected.push_back(&m);
  }
  kit::log::info("linting " + std::to_string(selected.size()) + " files (" + selection + ")");
  LintRun run = lint_migrations(folder, selected, disabled);
  annotate_findings(ctx.report, run);
  ctx.report.result("lint", lint_json(run));
  ctx.report.output("errors", std::to_string(run.errors));
  ctx.report.output("warnings", std::to_string(run.warnings));
  ctx.report.output("suppressed", std::to_string(run.suppressed));
  ctx.report.output("files", std::to_string(run.files.size()));
  std::string headline = std::to_string(run.files.size()) + " files (" + selection + "), " + std::to_string(run.statements) +
                         " statements: " + std::to_string(run.errors) + " errors, " + std::to_string(run.warnings) + " warnings, " +
                         std::to_string(run.suppressed) + " suppressed";
  if (ctx.report.wants_summary())  // the findings table is large; nobody reads it otherwise
    ctx.report.summary("### migrate-guard lint: " + std::string(run.errors ? "errors" : "ok") + "\n\n" + headline + "\n\n" + lint_markdown(run));
  if (run.errors)
    return {kit::Exit::negative, headline,
            "fix the statements (see the annotations), or suppress one with `-- migrate-guard-ignore: RULE reason` on the line above it"};
  return {kit::Exit::ok, headline};
}

}  // namespace migrate_guard
