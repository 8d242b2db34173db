#pragma once
// What several commands read from their options, and how they report the migrations folder.
// Only commands/*.cpp include this: the library below takes typed values.
#include <memory>
#include <string>

#include "kit/runtime.hpp"
#include "migrate-guard/database.hpp"
#include "migrate-guard/migrations.hpp"

namespace migrate_guard {

// The database named by --<option> (else the environment, see database_source), never a pooler
// for commands that lock; throws kit::Error(usage) for a URL that cannot be used.
pg::DbTarget target_from_args(const kit::Context& ctx, const std::string& option = "database-url");
Database database_from_args(const kit::Context& ctx, const std::string& option = "database-url");
std::unique_ptr<pg::Connection> connect(const kit::Context& ctx, const pg::DbTarget& target);

// --dir read; folder warnings logged and annotated; a file that cannot be applied as it is (a NUL
// byte) annotated at its line and refused (exit 2).
MigrationsFolder read_folder(const kit::Context& ctx);
void report_folder_warnings(kit::Report& report, const MigrationsFolder& folder);

// Runs a command's body; a migration refused at a line (UnusableMigration) is annotated at that
// file and line before the error goes on to be reported (exit 2).
template <class Body>
kit::Outcome annotating_files(kit::Context& ctx, Body&& body) {
  try {
    return body();
  } catch (const UnusableMigration& e) {
    ctx.report.annotate(kit::Severity::error, e.what(), {.file = e.path, .line = e.line, .title = "migrate-guard: unusable migration"});
    throw;
  }
}

}  // namespace migrate_guard
