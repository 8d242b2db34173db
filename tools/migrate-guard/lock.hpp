#pragma once
// The migration lock Prisma takes: a session advisory lock on 72707369. Holding it excludes
// every other migrate-guard and every Prisma Migrate working on the same database.
#include <string>

#include "kit/duration.hpp"

namespace pg {
class Connection;
}  // namespace pg

namespace migrate_guard {

constexpr long long kPrismaLockKey = 72707369;

class MigrationLock {
 public:
  // Polls pg_try_advisory_lock until `timeout`; on timeout throws kit::Error(environment)
  // naming the session that holds it (from pg_stat_activity).
  MigrationLock(pg::Connection& conn, kit::Millis timeout);
  ~MigrationLock();  // releases it (the session ending releases it too)
  MigrationLock(const MigrationLock&) = delete;
  MigrationLock& operator=(const MigrationLock&) = delete;
  kit::Millis waited() const { return waited_; }

 private:
  pg::Connection& conn_;
  kit::Millis waited_{0};
};

// "pid 123 (user app, application 'prisma', from 10.0.0.5, running for 42s: SELECT ...)" or "".
std::string describe_lock_holder(pg::Connection& conn);

}  // namespace migrate_guard
