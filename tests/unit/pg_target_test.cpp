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

TEST_CASE("target: a misspelt sslmode, gssencmode, target_session_attrs or connect_timeout is a usage error, not an outage") {
  kit::Env env(std::map<std::string, std::string>{});
  for (const char* url : {"postgresql://a:pw@h/db?sslmode=bogus", "postgresql://a:pw@h/db?connect_timeout=abc",
                          "postgresql://a:pw@h/db?target_session_attrs=primary-only", "postgresql://a:pw@h/db?gssencmode=yes"}) {
    try {
      resolve_target(url, "--database-url", env);
      FAIL("accepted " << url);
    } catch (const kit::Error& e) {
      CHECK(e.code() == kit::Exit::usage);
      CHECK(std::string(e.what()).find("is not valid") != std::string::npos);
    }
  }
  CHECK(resolve_target("postgresql://a:pw@h/db?sslmode=verify-full&connect_timeout=10", "--database-url", env).dbname == "db");
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

TEST_CASE("pooler: every host of a multi-host URL, pgbouncer=true on any port") {
  CHECK(pooler_reasons("h1,h2", "5432,6543", {}).size() == 1);
  CHECK(pooler_reasons("h1,h2", "5432", {}).empty());
  CHECK(pooler_reasons("h", "5433", {{"pgbouncer", "true"}}).size() == 1);
  CHECK(pooler_reasons("h", "5433", {{"pgbouncer", "TRUE"}}).size() == 1);
  kit::secrets().clear();
  kit::Env env(std::map<std::string, std::string>{});
  auto t = resolve_target("postgresql://u:pw@10.0.0.1:5432,10.0.0.2:6543/db", "--database-url", env);
  CHECK_FALSE(t.pooler_reasons.empty());
}

TEST_CASE("URLs refused before connecting: other providers, unencoded @ or # in the password") {
  kit::secrets().clear();
  kit::Env env(std::map<std::string, std::string>{});
  for (const char* url : {"mysql://root:pw@h:3306/app", "sqlserver://h:1433;database=app", "file:./dev.db", "mongodb+srv://u:pw@c/app"}) {
    try {
      resolve_target(url, "--database-url", env);
      FAIL("accepted " << url);
    } catch (const kit::Error& e) {
      CHECK(e.code() == kit::Exit::usage);
      CHECK(std::string(e.what()).find("not supported") != std::string::npos);
    }
  }
  for (const char* url : {"postgresql://app:p@ss#word-9@h:5432/db", "postgresql://app:a#b-secret@h/db", "postgres://app:x@y-secret@h/db",
                          "postgresql://app:ab/y-secret@h:5432/db"}) {
    try {
      resolve_target(url, "--database-url", env);
      FAIL("accepted " << url);
    } catch (const kit::Error& e) {
      std::string m = e.what();
      CHECK(e.code() == kit::Exit::usage);
      CHECK(m.find("percent-encode") != std::string::npos);
      for (const char* piece : {"ss#word", "word-9", "b-secret", "y-secret", "p@ss"}) CHECK(m.find(piece) == std::string::npos);
    }
  }
}

TEST_CASE("the environment variables tried, in order; where the URL came from") {
  kit::secrets().clear();
  kit::Env env(std::map<std::string, std::string>{{"DATABASE_URL", "postgresql://u@pooled:6543/db"}, {"DIRECT_URL", "postgresql://u@direct:5432/db"}});
  auto t = resolve_target("", "--database-url", env, {"DIRECT_URL", "DATABASE_URL"});
  CHECK(t.source == "DIRECT_URL");
  CHECK(t.host == "direct");
  auto d = resolve_target("", "--database-url", env);
  CHECK(d.source == "DATABASE_URL");
  CHECK_FALSE(d.pooler_reasons.empty());
}

TEST_CASE("an '@' after the user info (in the query) is not a password problem") {
  kit::secrets().clear();
  kit::Env env(std::map<std::string, std::string>{});
  auto t = resolve_target("postgresql://app:pw@h:5432/db?application_name=me@ci", "--database-url", env);
  CHECK(t.host == "h");
  auto u = resolve_target("postgresql://app:p%40ss%23w@h?sslmode=disable", "--database-url", env);
  CHECK(u.host == "h");
  CHECK(kit::secrets().redact("x p@ss#w y").find("p@ss#w") == std::string::npos);
}
