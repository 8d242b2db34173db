#pragma once
// The datasource block of schema.prisma: which environment variables hold the URL Prisma's app uses
// (`url`, often a pooler on Supabase), the one migrations use (`directUrl`) and the shadow database
// (`shadowDatabaseUrl`). migrate-guard picks its database the way Prisma Migrate does.
#include <optional>
#include <string>

namespace migrate_guard {

struct Datasource {
  std::string path;             // the schema.prisma read
  std::string provider;         // "postgresql", "mysql"...
  std::string url_env, direct_url_env, shadow_url_env;  // env("NAME") of each, "" when absent or a literal
};

// Reads <migrations dir>/../schema.prisma when it exists (Prisma's layout: prisma/schema.prisma
// beside prisma/migrations); nullopt when there is none or it has no datasource block.
std::optional<Datasource> read_datasource(const std::string& migrations_dir);

// The datasource block's text parsed (comments ignored); exposed for unit tests.
std::optional<Datasource> parse_datasource(const std::string& schema_text);

}  // namespace migrate_guard
