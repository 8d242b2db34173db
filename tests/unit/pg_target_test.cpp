#include <doctest/doctest.h>

#include "kit/error.hpp"
#include "kit/secrets.hpp"
#include "migrate-guard/extensions.hpp"
#include "pg/pooler.hpp"
#include "pg/quote.hpp"
#include "pg/restore_marker.hpp"
#include "pg/target.hpp"

using namespace pg;
using migrate_guard::parse_extension_list;

TEST_CASE("Prisma-only URL parameters are taken off before libpq sees them") {
  std::vector<std::pair<std::string, std::string>> taken;
  auto url = strip_url_params("postgresql://u@h:5432/db?schema=my%20app&sslmode=require&connection_limit=1&pgbouncer=true",
                              {"schema", "connection_limit", "pgbouncer"}, taken);
  CHECK(url == "postgresql://u@h:5432/db?sslmode=require");
  REQUIRE(taken.size() == 3);
  CHECK(taken[0] == std::make_pair(std::string("schema"), std::string("my app")));
}

TEST_CASE("target: schema, password secret, bad URLs") {
  kit::secrets().clear();
  kit::Env env(std::map<std::string, std::string>{});
  auto t = resolve_target("postgresql://app:s3cr3t-pw@127.0.0.1:5433/shop?schema=inventory", "--database-url", env);
  CHECK(t.schema == "inventory");
  CHECK(t.port == "5433");
  CHECK(t.dbname == "shop");
  CHECK(t.conninfo == "postgresql://app:s3cr3t-pw@127.0.0.1:5433/shop");
  CHECK(t.display.find("s3cr3t-pw") == std::string::npos);
  CHECK(kit::secrets().redact("x s3cr3t-pw y").find("s3cr3t-pw") == std::string::npos);
  CHECK(t.pooler_reasons.empty());

  CHECK_THROWS_AS(resolve_target("postgresql://a@h:notaport/db", "--database-url", env), kit::Error);
  CHECK_THROWS_AS(resolve_target("", "--database-url", env), kit::Error);
  kit::Env with_url(std::map<std::string, std::string>{{"DATABASE_URL", "postgresql://a@h/db"}});
  CHECK(resolve_target("", "--database-url", with_url).dbname == "db");
  kit::secrets().clear();
}

TEST_CASE("target: Prisma's TLS parameters mean what they mean to Prisma") {
  kit::Env env(std::map<std::string, std::string>{});
  auto t = resolve_target("postgresql://u@h/db?sslmode=require&sslcert=/etc/ca%20dir/ca.pem&schema=app", "--database-url", env);
  CHECK(t.conninfo == "postgresql://u@h/db?sslmode=require&sslrootcert=%2Fetc%2Fca%20dir%2Fca.pem");  // libpq decodes it
  CHECK(t.schema_given);
  auto lax = resolve_target("postgresql://u@h/db?sslmode=require&sslcert=/ca.pem&sslaccept=accept_invalid_certs", "--database-url", env);
  CHECK(lax.conninfo == "postgresql://u@h/db?sslmode=require");
  CHECK_FALSE(lax.schema_given);
  CHECK_THROWS_AS(resolve_target("postgresql://u@h/db?sslidentity=id.p12&sslpassword=x", "--database-url", env), kit::Error);
}

TEST_CASE("poolers are recognised from the URL") {
  CHECK(pooler_reasons("db.abc.supabase.co", "5432", {}).empty());
  CHECK(pooler_reasons("db.abc.supabase.co", "6543", {}).size() == 1);
  // Supavisor session mode keeps one server session per client; transaction mode (6543) does not.
  CHECK(pooler_reasons("aws-0-eu-central-1.pooler.supabase.com", "5432", {}).empty());
  CHECK(pooler_reasons("aws-0-eu-central-1.pooler.supabase.com", "6543", {}).size() == 1);
  CHECK(pooler_reasons("aws-0-eu-central-1.pooler.supabase.com", "7000", {}).size() == 1);
  CHECK(pooler_reasons("pgbouncer.internal", "5432", {}).size() == 1);
  CHECK(pooler_reasons("h", "5432", {{"pgbouncer", "true"}}).size() == 1);
  CHECK(pooler_reasons("h", "5432", {{"pgbouncer", "false"}}).empty());
}

TEST_CASE("extension lists and restore point names") {
  CHECK(parse_extension_list({"postgis, pg_trgm", "uuid-ossp"}) == std::vector<std::string>{"postgis", "pg_trgm", "uuid-ossp"});
  CHECK_THROWS_AS(parse_extension_list({"postgis; DROP"}), kit::Error);
  CHECK(quote_ident("we\"ird") == "\"we\"\"ird\"");
  auto n = restore_point_name("20240101T000000Z", std::string(80, 'x'));
  CHECK(n.size() == 63);
  CHECK(n.rfind("migrate-guard-20240101T000000Z-", 0) == 0);
}
