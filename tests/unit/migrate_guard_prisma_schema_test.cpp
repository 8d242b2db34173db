#include <doctest/doctest.h>

#include "migrate-guard/prisma_schema.hpp"

using namespace migrate_guard;

TEST_CASE("schema.prisma datasource: the variables url, directUrl and shadowDatabaseUrl name") {
  auto d = parse_datasource(R"(// the app's schema
generator client {
  provider = "prisma-client-js" // datasource { url = env("NOT_THIS") }
}

datasource db {
  provider          = "postgresql"
  url               = env("DATABASE_URL") // pooled, port 6543
  directUrl         = env( "DIRECT_URL" )
  shadowDatabaseUrl = env("SHADOW_DATABASE_URL")
  extensions        = [postgis]
}

model User {
  id Int @id
}
)");
  REQUIRE(d);
  CHECK(d->provider == "postgresql");
  CHECK(d->url_env == "DATABASE_URL");
  CHECK(d->direct_url_env == "DIRECT_URL");
  CHECK(d->shadow_url_env == "SHADOW_DATABASE_URL");
}

TEST_CASE("schema.prisma: a literal URL names no variable; no datasource, no answer; other providers are read") {
  auto lit = parse_datasource("datasource db {\n  provider = \"postgresql\"\n  url = \"postgresql://u@h/db\"\n}\n");
  REQUIRE(lit);
  CHECK(lit->url_env.empty());
  CHECK_FALSE(parse_datasource("model A { id Int @id }\n"));
  CHECK_FALSE(parse_datasource(std::string(100000, '{')));
  auto my = parse_datasource("datasource db {\n provider = \"mysql\"\n url = env(\"DATABASE_URL\")\n}");
  REQUIRE(my);
  CHECK(my->provider == "mysql");
}
