#pragma once
// _prisma_migrations, written exactly as Prisma Migrate 6 writes it, so both tools can share a
// database: same columns and types, UUID ids, SHA-256 checksums, started/finished times, logs,
// applied_steps_count.
#include <optional>
#include <string>
#include <vector>

namespace pg {
class Connection;
}  // namespace pg

namespace migrate_guard {

struct LedgerRow {
  std::string id;
  std::string checksum;
  std::string name;
  std::optional<std::string> started_at;      // ISO 8601 UTC
  std::optional<std::string> finished_at;
  std::optional<std::string> rolled_back_at;
  std::optional<std::string> logs;
  int applied_steps_count = 0;
};

class Ledger {
 public:
  Ledger(pg::Connection& conn, std::string schema);
  bool exists();
  void create();                   // CREATE SCHEMA/TABLE IF NOT EXISTS, Prisma's exact DDL
  std::vector<LedgerRow> rows();   // oldest first; empty when the table does not exist
  std::string start(const std::string& name, const std::string& checksum);  // returns the row id
  void finish(const std::string& id);
  void fail(const std::string& id, const std::string& logs);
  void mark_rolled_back(const std::string& id);
  // A row for a migration recorded as applied without running it (resolve --applied).
  void insert_applied(const std::string& name, const std::string& checksum);
  const std::string& table() const { return table_; }

 private:
  pg::Connection& conn_;
  std::string schema_;
  std::string table_;  // quoted, schema-qualified
};

std::string new_uuid();  // random (version 4), as Prisma's ids are

}  // namespace migrate_guard
