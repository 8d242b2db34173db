#include "pg/pooler.hpp"

#include <algorithm>

#include "kit/error.hpp"
#include "kit/text.hpp"
#include "pg/connection.hpp"
#include "pg/target.hpp"

namespace pg {

namespace {

std::vector<std::string> split_on_commas(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t comma = s.find(',', start);
    out.push_back(s.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) return out;
    start = comma + 1;
  }
}

void add_once(std::vector<std::string>& v, const std::string& s) {
  for (const auto& x : v)
    if (x == s) return;
  v.push_back(s);
}

}  // namespace

std::vector<std::string> pooler_reasons(const std::string& hosts, const std::string& ports,
                                        const std::vector<std::pair<std::string, std::string>>& prisma_params) {
  std::vector<std::string> reasons;
  // A multi-host URL (libpq tries each in turn) is judged host by host: any pooler among them
  // could be the one that answers. One port applies to every host.
  std::vector<std::string> hs = split_on_commas(hosts), ps = split_on_commas(ports);
  for (size_t i = 0; i < std::max(hs.size(), ps.size()); ++i) {
    std::string host = i < hs.size() ? hs[i] : hs.back();
    std::string port = ps.size() == 1 ? ps[0] : i < ps.size() ? ps[i] : "5432";
    if (port.empty()) port = "5432";
    std::string h = kit::lower(host);
    std::string where = hs.size() > 1 || ps.size() > 1 ? " (host " + host + ")" : "";
    if (port == "6543") add_once(reasons, "port 6543 is the transaction pooler port (Supabase/Supavisor)" + where);
    // Supavisor's session mode (port 5432) keeps one server session per client, so the advisory
    // lock holds; GitHub's IPv4-only runners reach Supabase through it. Only transaction mode breaks.
    if (h.find("pooler.supabase.com") != std::string::npos && port != "5432" && port != "6543")
      add_once(reasons, "host " + host + " is Supabase's pooler on port " + port + " (only session mode, port 5432, keeps the lock)");
    else if (h.find("pgbouncer") != std::string::npos) add_once(reasons, "host " + host + " looks like PgBouncer");
  }
  // Prisma's own flag says a transaction pooler is in the way, whatever the port.
  for (const auto& [k, v] : prisma_params)
    if (k == "pgbouncer" && kit::lower(v) != "false" && v != "0") add_once(reasons, "the URL says pgbouncer=" + v);
  return reasons;
}

void refuse_pooler(const DbTarget& target) {
  if (target.pooler_reasons.empty()) return;
  std::string why;
  for (const auto& r : target.pooler_reasons) why += (why.empty() ? "" : "; ") + r;
  throw kit::usage_error("refusing a pooled connection (" + why + ")" + (target.source.empty() ? "" : " from " + target.source) +
                         ": migrations need a direct connection (Supabase: db.<ref>.supabase.co:5432 or the session pooler on 5432" +
                         (target.source == "DATABASE_URL" ? "; set DIRECT_URL to it, as Prisma's directUrl" : "") + ")");
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
