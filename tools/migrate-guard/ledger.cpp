#include "migrate-guard/ledger.hpp"

#include <openssl/rand.h>

#include "pg/connection.hpp"
#include "pg/quote.hpp"

namespace migrate_guard {

std::string new_uuid() {
  unsigned char b[16];
  RAND_bytes(b, sizeof b);
  b[6] = static_cast<unsigned char>((b[6] & 0x0F) | 0x40);
  b[8] = static_cast<unsigned char>((b[8] & 0x3F) | 0x80);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += hex[b[i] >> 4];
    out += hex[b[i] & 15];
  }
  return out;
}

Ledger::Ledger(pg::Connection& conn, std::string schema)
    : conn_(conn), schema_(std::move(schema)), table_(pg::quote_ident(schema_) + ".\"_prisma_migrations\"") {}

bool Ledger::exists() {
  return conn_.scalar("SELECT to_regclass($1) IS NOT NULL", {pg::quote_ident(schema_) + "._prisma_migrations"}) == "t";
}

void Ledger::create() {
  // CREATE SCHEMA IF NOT EXISTS needs the CREATE privilege on the database even when the schema
  // exists; an application role usually lacks it.
  if (conn_.scalar("SELECT count(*) FROM pg_namespace WHERE nspname = $1", {schema_}) == "0")
    conn_.query("CREATE SCHEMA IF NOT EXISTS " + pg::quote_ident(schema_));
  // Prisma's DDL, column for column.
  conn_.query("CREATE TABLE IF NOT EXISTS " + table_ + R"( (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
))");
}

std::vector<LedgerRow> Ledger::rows() {
  if (!exists()) return {};
  const char* iso = R"('YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')";
  auto t = [&](const char* col) { return std::string("to_char(") + col + " AT TIME ZONE 'UTC', " + iso + ")"; };
  auto result = conn_.query("SELECT id, checksum, migration_name, " + t("started_at") + ", " + t("finished_at") + ", " +
                            t("rolled_back_at") + ", logs, applied_steps_count FROM " + table_ +
                            " ORDER BY started_at, finished_at NULLS LAST, id");
  std::vector<LedgerRow> out;
  for (auto& r : result) {
    LedgerRow row;
    row.id = r[0].value_or("");
    row.checksum = r[1].value_or("");
    row.name = r[2].value_or("");
    row.started_at = r[3];
    row.finished_at = r[4];
    row.rolled_back_at = r[5];
    row.logs = r[6];
    row.applied_steps_count = r[7] ? std::stoi(*r[7]) : 0;
    out.push_back(std::move(row));
  }
  return out;
}

std::string Ledger::start(const std::string& name, const std::string& checksum) {
  std::string id = new_uuid();
  conn_.query("INSERT INTO " + table_ +
                  " (id, checksum, started_at, migration_name, applied_steps_count) VALUES ($1, $2, now(), $3, 0)",
              {id, checksum, name});
  return id;
}

void Ledger::finish(const std::string& id) {
  conn_.query("UPDATE " + table_ + " SET finished_at = now(), applied_steps_count = applied_steps_count + 1 WHERE id = $1",
              {id});
}

void Ledger::fail(const std::string& id, const std::string& logs) {
  conn_.query("UPDATE " + table_ + " SET logs = $2 WHERE id = $1", {id, logs});
}

void Ledger::mark_rolled_back(const std::string& id) {
  conn_.query("UPDATE " + table_ + " SET rolled_back_at = now() WHERE id = $1", {id});
}

void Ledger::insert_applied(const std::string& name, const std::string& checksum) {
  conn_.query("INSERT INTO " + table_ +
                  " (id, checksum, started_at, finished_at, migration_name, applied_steps_count) VALUES ($1, $2, now(), now(), $3, 0)",
              {new_uuid(), checksum, name});
}

}  // namespace migrate_guard
