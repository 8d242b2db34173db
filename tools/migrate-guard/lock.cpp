#include "migrate-guard/lock.hpp"

#include <chrono>
#include <thread>

#include "kit/error.hpp"
#include "kit/log.hpp"
#include "pg/connection.hpp"

namespace migrate_guard {

std::string describe_lock_holder(pg::Connection& conn) {
  // A bigint advisory key shows up as classid (high 32 bits) / objid (low 32 bits), objsubid 1.
  auto rows = conn.query(
      "SELECT a.pid::text, coalesce(a.usename, ''), coalesce(a.application_name, ''), coalesce(host(a.client_addr), 'local socket'),"
      " coalesce(extract(epoch FROM now() - a.xact_start)::int::text, ''), coalesce(a.state, ''), left(coalesce(a.query, ''), 120)"
      " FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
      " WHERE l.locktype = 'advisory' AND l.granted AND l.classid = 0 AND l.objid = $1::bigint AND l.objsubid = 1"
      " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())",
      {std::to_string(kPrismaLockKey)});
  if (rows.empty()) return "";
  const auto& r = rows[0];
  std::string out = "pid " + r[0].value_or("?") + " (user " + r[1].value_or("?");
  if (!r[2].value_or("").empty()) out += ", application '" + *r[2] + "'";
  out += ", from " + r[3].value_or("?");
  if (!r[4].value_or("").empty()) out += ", in a transaction for " + *r[4] + "s";
  out += ", " + r[5].value_or("") + ": " + r[6].value_or("") + ")";
  return out;
}

MigrationLock::MigrationLock(pg::Connection& conn, kit::Millis timeout) : conn_(conn) {
  auto start = std::chrono::steady_clock::now();
  bool announced = false;
  while (true) {
    if (conn.scalar("SELECT pg_try_advisory_lock($1::bigint)", {std::to_string(kPrismaLockKey)}) == "t") break;
    waited_ = std::chrono::duration_cast<kit::Millis>(std::chrono::steady_clock::now() - start);
    if (!announced) {
      std::string holder = describe_lock_holder(conn);
      kit::log::info("waiting for the migration lock, held by " + (holder.empty() ? std::string("another session") : holder));
      announced = true;
    }
    if (waited_ >= timeout) {
      std::string holder = describe_lock_holder(conn);
      throw kit::Error(kit::Exit::environment,
                       "timed out after " + kit::format_duration(timeout) + " waiting for the migration lock (advisory lock " +
                           std::to_string(kPrismaLockKey) + "), held by " +
                           (holder.empty() ? std::string("a session that just released it") : holder),
                       "another deploy (migrate-guard or Prisma) is migrating this database: wait for it and retry, raise "
                       "--lock-timeout, or end that session if it is stuck (SELECT pg_terminate_backend(pid))");
    }
    std::this_thread::sleep_for(std::min<kit::Millis>(kit::Millis(100), timeout - waited_));
  }
  if (announced) kit::log::info("got the migration lock after " + kit::format_duration(waited_));
}

MigrationLock::~MigrationLock() {
  try {
    conn_.query("SELECT pg_advisory_unlock($1::bigint)", {std::to_string(kPrismaLockKey)});
  } catch (...) {
    // The session may be gone; the lock went with it.
  }
}

}  // namespace migrate_guard
