#include "pg/pooler.hpp"

#include "kit/error.hpp"
#include "kit/text.hpp"
#include "pg/connection.hpp"
#include "pg/target.hpp"

namespace pg {

std::vector<std::string> pooler_reasons(const std::string& host, const std::string& port,
                                        const std::vector<std::pair<std::string, std::string>>& prisma_params) {
  std::vector<std::string> reasons;
  std::string h = kit::lower(host);
  if (port == "6543") reasons.push_back("port 6543 is the transaction pooler port (Supabase/Supavisor)");
  // Supavisor's session mode (port 5432) keeps one server session per client, so the advisory
  // lock holds; GitHub's IPv4-only runners reach Supabase through it. Only transaction mode breaks.
  if (h.find("pooler.supabase.com") != std::string::npos && port != "5432" && port != "6543")
    reasons.push_back("host " + host + " is Supabase's pooler on port " + port + " (only session mode, port 5432, keeps the lock)");
  else if (h.find("pgbouncer") != std::string::npos) reasons.push_back("host " + host + " looks like PgBouncer");
  for (const auto& [k, v] : prisma_params)
    if (k == "pgbouncer" && kit::lower(v) == "true") reasons.push_back("the URL says pgbouncer=true");
  return reasons;
}

void refuse_pooler(const DbTarget& target) {
  if (target.pooler_reasons.empty()) return;
  std::string why;
  for (const auto& r : target.pooler_reasons) why += (why.empty() ? "" : "; ") + r;
  throw kit::usage_error("refusing a pooled connection (" + why +
                         "): migrations need a direct connection (Supabase: db.<ref>.supabase.co:5432 or the session pooler on 5432)");
}

std::string server_side_pooler_reason(Connection& conn) {
  std::string first = conn.scalar("SELECT pg_backend_pid()::text");
  for (int i = 0; i < 3; ++i) {
    std::string again = conn.scalar("SELECT pg_backend_pid()::text");
    if (again != first)
      return "consecutive statements ran in different server sessions (pids " + first + " and " + again +
             "): this is a transaction pooler";
  }
  return "";
}

}  // namespace pg
