#pragma once
// The shadow database drift replays migrations into: it must start empty, and it is put back to
// empty afterwards, so a team can point every run at the same throwaway database.
#include <string>
#include <vector>

#include "pg/connection.hpp"
#include "pg/target.hpp"

namespace migrate_guard {

class ShadowDatabase {
 public:
  // Throws kit::Error(usage) when one of `schemas` already holds user objects.
  ShadowDatabase(pg::Connection& conn, const pg::DbTarget& target, const std::vector<std::string>& schemas);
  ~ShadowDatabase();  // reset(); a failure there is logged, never thrown
  ShadowDatabase(const ShadowDatabase&) = delete;
  ShadowDatabase& operator=(const ShadowDatabase&) = delete;

  pg::Connection& conn() { return conn_; }
  // Drops what the replay created: new extensions and schemas, and the contents of the schemas that
  // were there (recreated with their owner and grants).
  void reset();

 private:
  struct SchemaState {
    std::string name, owner;
    bool was_empty = true;            // only schemas that held nothing are emptied again
    std::vector<std::string> grants;  // GRANT statements that restore its ACL
  };
  pg::Connection& conn_;
  std::string display_;
  std::vector<SchemaState> schemas_before_;
  std::vector<std::string> extensions_before_;
  bool reset_done_ = false;
};

}  // namespace migrate_guard
