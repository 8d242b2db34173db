#pragma once
// Transaction poolers (PgBouncer, Supavisor's transaction mode) hand consecutive statements to
// different server sessions: session advisory locks, SET and one-query scripts break there.
// Tools that need one server session refuse them, first from what the URL says, then from what
// the server does.
#include <string>
#include <utility>
#include <vector>

namespace pg {

class Connection;
struct DbTarget;

// Pooler heuristics on what the URL says (the server-side check happens after connecting).
std::vector<std::string> pooler_reasons(const std::string& host, const std::string& port,
                                        const std::vector<std::pair<std::string, std::string>>& prisma_params);

// Throws kit::Error(usage) when the URL goes through a transaction pooler: the session lock and
// one-query scripts need a direct connection.
void refuse_pooler(const DbTarget& target);

// A transaction pooler hands consecutive statements to different server sessions; a direct
// connection never does. Returns why this looks like a pooler, or "".
std::string server_side_pooler_reason(Connection& conn);

}  // namespace pg
