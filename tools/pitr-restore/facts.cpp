#include "pitr-restore/facts.hpp"

#include "pitr-restore/database.hpp"
#include "pitr-restore/self_managed.hpp"
#include "pitr-restore/supabase_restore.hpp"

namespace pitr_restore {

Facts gather_facts(const Request& r, const kit::Env& env, Micros now) {
  Facts f = r.provider == Provider::supabase ? supabase_facts(r) : self_managed_facts(r, now);
  if (r.database_url) {
    std::string problem;
    f.ledger = read_ledger(endpoint_from_url(r, env), schema_of(r, env), r.connect_timeout, problem);
    f.ledger_problem = problem;
  } else {
    f.ledger_problem = kNoDatabaseUrl;
  }
  return f;
}

}  // namespace pitr_restore
