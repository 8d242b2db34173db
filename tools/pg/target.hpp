#pragma once
// Which database to talk to: --database-url, else DATABASE_URL, else libpq's own PG* variables.
// Prisma URLs carry parameters libpq does not know (schema, pgbouncer, connection_limit...);
// they are read here and removed before libpq sees the URL.
#include <string>
#include <vector>

#include "kit/env.hpp"

namespace pg {

struct DbTarget {
  std::string conninfo;  // for libpq: the URL without Prisma-only parameters, or "" for PG* variables
  std::string display;   // password-free, for messages
  std::string source;    // where it came from: "--database-url", "DIRECT_URL", "PG* variables"...
  std::string host, port, dbname, user;
  std::string schema = "public";            // Prisma's ?schema=, where _prisma_migrations lives
  bool schema_given = false;                // ?schema= was in the URL: Prisma then sets search_path to it
  std::vector<std::string> pooler_reasons;  // why the URL looks like a transaction pooler
};

// `option` names the source in messages ("--database-url"); without a URL, the first non-empty
// variable of `env_vars` is used, else libpq's PG* variables. Registers the password as a secret.
// Throws kit::Error(usage) when no database is given or the URL cannot be read.
DbTarget resolve_target(const std::string& url, const std::string& option, const kit::Env& env,
                        const std::vector<std::string>& env_vars = {"DATABASE_URL"});

// Splits "a=1&b=2" style parameters off a URL: returns the URL with `drop` keys removed and
// fills `taken` with their (percent-decoded) values.
std::string strip_url_params(const std::string& url, const std::vector<std::string>& drop,
                             std::vector<std::pair<std::string, std::string>>& taken);

}  // namespace pg
