#include "migrate-guard/commands/common.hpp"

#include "kit/error.hpp"
#include "kit/log.hpp"

namespace migrate_guard {

pg::DbTarget target_from_args(const kit::Context& ctx, const std::string& option) {
  return pg::resolve_target(ctx.args.str(option), "--" + option, ctx.env);
}

Database database_from_args(const kit::Context& ctx, const std::string& option) {
  return {target_from_args(ctx, option), ctx.args.duration("connect-timeout")};
}

std::unique_ptr<pg::Connection> connect(const kit::Context& ctx, const pg::DbTarget& target) {
  return connect(Database{target, ctx.args.duration("connect-timeout")});
}

void report_folder_warnings(kit::Report& report, const MigrationsFolder& folder) {
  // annotate() logs the warning itself (or prints the workflow command under Actions): once.
  for (const auto& w : folder.warnings) {
    report.annotate(kit::Severity::warning, w, {.file = folder.dir, .title = "migrate-guard: migrations folder"});
  }
}

MigrationsFolder read_folder(const kit::Context& ctx) {
  MigrationsFolder folder = read_migrations(ctx.args.str("dir"));
  report_folder_warnings(ctx.report, folder);
  return folder;
}

}  // namespace migrate_guard
